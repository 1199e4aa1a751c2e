/// Why a data set could not be had. `final`: asking again cannot help (the set is gone, the
/// disk refuses), so the fetch stops at once.
struct DatasetError: Error, CustomStringConvertible {
    var description: String
    var final = false

    init(_ description: String, final: Bool = false) {
        self.description = description
        self.final = final
    }
}
