import Foundation

/// A real headless browser for the dashboard's tests: Debian's chromium, driven through
/// chromedriver with the W3C WebDriver protocol (JSON over HTTP on loopback).
public final class WebDriver: @unchecked Sendable {
    public let driver: Process
    public let port: Int
    public let session: String
    let base: URL

    /// Where chromedriver and chromium are (Debian's packages), or nil when they are missing.
    public static var available: (driver: String, browser: String)? {
        let fm = FileManager.default
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
            fm.isExecutableFile(atPath: $0)
        }
        let browser = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first { fm.isExecutableFile(atPath: $0) }
        guard let driver, let browser else { return nil }
        return (driver, browser)
    }

    /// Starts chromedriver and a headless chromium window of `width`×`height`.
    public init(width: Int = 1280, height: Int = 900) async throws {
        guard let (driverPath, browserPath) = Self.available else {
            throw TestEnvironmentError("chromium and chromium-driver are not installed (test.sh installs them)")
        }
        port = try freePort()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: driverPath)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("chromedriver-\(port).log").path
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1", "--log-path=\(log)"]
        try driver.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
        let probe = base
        do {
            try await waitUntil("chromedriver answers", timeout: .seconds(20)) {
                (try? await Self.call(probe, "GET", "status", nil)) != nil
            }
        } catch {
            driver.terminate()
            throw error
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
            .path
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": browserPath,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--window-size=\(width),\(height)", "--user-data-dir=\(profile)", "--no-first-run",
                        ],
                    ],
                ]
            ]
        ]
        let reply: [String: Any]
        do { reply = try await Self.call(base, "POST", "session", capabilities) } catch {
            driver.terminate()
            throw error
        }
        guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            driver.terminate()
            throw TestEnvironmentError("chromedriver gave no session: \(reply)")
        }
        session = id
    }

    deinit {
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    /// Ends the browser session and chromedriver.
    public func quit() async {
        _ = try? await Self.call(base, "DELETE", "session/\(session)", nil)
        driver.terminate()
        // Polled: Process.waitUntilExit spins a run loop, which can hang on a concurrency thread.
        for _ in 0..<100 where driver.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    // MARK: Commands

    public func open(_ url: String) async throws {
        _ = try await command("POST", "url", ["url": url])
    }

    public var currentURL: String {
        get async throws { try await command("GET", "url") as? String ?? "" }
    }

    /// The first element matching a CSS selector, or nil.
    public func find(_ css: String) async throws -> String? {
        let reply = try await Self.call(
            base, "POST", "session/\(session)/element", ["using": "css selector", "value": css], allowError: true)
        guard let value = reply["value"] as? [String: Any] else { return nil }
        return value["element-6066-11e4-a52e-4f735466cecf"] as? String
    }

    /// Waits for an element matching `css` (the page renders asynchronously).
    @discardableResult
    public func wait(for css: String, timeout: Duration = .seconds(30)) async throws -> String {
        var found: String?
        try await waitUntil("an element \(css)", timeout: timeout) {
            found = try await find(css)
            return found != nil
        }
        return found!
    }

    /// Waits until `css`'s text satisfies `predicate`; returns the text.
    @discardableResult
    public func wait(
        for css: String, text predicate: @escaping (String) -> Bool, timeout: Duration = .seconds(30)
    ) async throws -> String {
        var last = ""
        do {
            try await waitUntil("text of \(css)", timeout: timeout) {
                guard let el = try await find(css) else { return false }
                last = (try? await text(el)) ?? ""
                return predicate(last)
            }
        } catch {
            throw TestEnvironmentError("\(css) never had the expected text; last seen: \"\(last)\"")
        }
        return last
    }

    /// Clicks the element; found again when the page redrew it in between (a live update).
    public func click(_ css: String) async throws {
        for attempt in 1...20 {
            let el = try await wait(for: css)
            do {
                _ = try await command("POST", "element/\(el)/click", [:])
                return
            } catch let e as TestEnvironmentError where e.description.contains("stale element") && attempt < 20 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    public func type(_ css: String, _ text: String, clear: Bool = true) async throws {
        let el = try await wait(for: css)
        if clear { _ = try await command("POST", "element/\(el)/clear", [:]) }
        _ = try await command("POST", "element/\(el)/value", ["text": text])
    }

    public func text(_ element: String) async throws -> String {
        try await command("GET", "element/\(element)/text") as? String ?? ""
    }

    public func text(of css: String) async throws -> String {
        try await text(try await wait(for: css))
    }

    /// Runs JavaScript in the page and returns its result.
    public func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await command("POST", "execute/sync", ["script": script, "args": args])
    }

    /// Saves a PNG of the window, scrolled to the top of the page first unless `scrolled`.
    public func screenshot(to path: String, scrolled: Bool = false) async throws {
        if !scrolled { _ = try await execute("window.scrollTo(0, 0)") }
        guard let encoded = try await command("GET", "screenshot") as? String, let png = Data(base64Encoded: encoded)
        else { throw TestEnvironmentError("no screenshot") }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    public func resize(width: Int, height: Int) async throws {
        _ = try await command("POST", "window/rect", ["width": width, "height": height])
    }

    // MARK: Wire

    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let reply = try await Self.call(base, method, "session/\(session)/\(path)", body)
        return reply["value"]
    }

    /// Headers, then as many body bytes as `Content-Length` says.
    static func readResponse(_ connection: RawConnection) async -> [UInt8]? {
        var raw: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let split = raw.firstRange(of: separator) {
                let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if raw.count - split.upperBound >= length { return raw }
            }
            guard let more = await connection.readSome() else { return raw.isEmpty ? nil : raw }
            raw += more
        }
    }

    /// One request on its own connection (`Connection: close`). Not URLSession: chromedriver
    /// writes headers without a space after the colon, which FoundationNetworking refuses
    /// ("Failed writing header").
    static func call(_ base: URL, _ method: String, _ path: String, _ body: [String: Any]?, allowError: Bool = false)
        async throws -> [String: Any]
    {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let port = base.port ?? 80
        var head = "\(method) /\(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        let request = Array(head.utf8) + Array(payload)
        let connection = try RawConnection(port: port, receiveTimeout: 90)
        connection.send(request)
        let raw = await Self.readResponse(connection)
        guard let raw, let split = raw.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw TestEnvironmentError("WebDriver \(method) \(path): no answer")
        }
        let statusLine = String(decoding: raw[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let data = Data(raw[split.upperBound...])
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if status != 200 && !allowError {
            throw TestEnvironmentError(
                "WebDriver \(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        return status == 200 ? json : [:]
    }
}
