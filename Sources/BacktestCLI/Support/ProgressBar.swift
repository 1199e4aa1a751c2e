import Foundation

/// A progress bar on stderr, redrawn at most every 1% (only when stderr is a terminal).
final class ProgressBar {
    let enabled: Bool
    let total: Int
    private var shown = -1

    init(enabled: Bool, total: Int) {
        self.enabled = enabled
        self.total = max(total, 1)
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != shown else { return }
        shown = percent
        let width = 40
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(percent)%".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
