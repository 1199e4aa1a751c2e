import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The CLI followed a redirect with the admin token to any host (issue 16, #10). A coordinator (or
/// whatever answers at the URL given) that redirects elsewhere must not receive the token there.
struct CLIRedirectTests {
    @Test func aRedirectToAnotherHostDoesNotCarryTheToken() async throws {
        let seen = TestDataRoot.path + "/redirect-seen-\(UUID().uuidString.prefix(6)).txt"
        // Two tiny HTTP servers: one answers 307 to a different host (127.0.0.2), the other
        // records the Authorization header it receives.
        let script = """
            import http.server, sys, threading
            seen = sys.argv[1]
            class Redirect(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(307)
                    self.send_header('Location', 'http://127.0.0.2:%d/api/jobs' % b.server_address[1])
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                def log_message(self, *a): pass
            class Record(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    open(seen, 'a').write('auth=%s\\n' % self.headers.get('Authorization'))
                    body = b'[]'
                    self.send_response(200)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            # Ports chosen by the kernel (a port picked beforehand can be taken meanwhile).
            a = http.server.HTTPServer(('127.0.0.1', 0), Redirect)
            b = http.server.HTTPServer(('127.0.0.2', 0), Record)
            threading.Thread(target=b.serve_forever, daemon=True).start()
            print('ready %d' % a.server_address[1], flush=True)
            a.serve_forever()
            """
        let server = try ChildProcess(
            "/usr/bin/python3", name: "redirector", environment: [:],
            arguments: ["-c", script, seen])
        try await waitUntil("the test servers listen", timeout: .seconds(30)) { server.log.contains("ready ") }
        guard let line = server.log.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }),
            let redirector = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        else {
            Issue.record("no port in \(server.log)")
            return
        }
        let cli = try ChildProcess(
            "ats", name: "ats",
            environment: [
                "ATS_URL": "http://127.0.0.1:\(redirector)", "ATS_ADMIN_TOKEN": "secret-admin-token-0123456789",
            ],
            arguments: ["job", "list"])
        let status = await cli.waitForExit(timeout: .seconds(30))
        #expect(status != 0 && cli.log.contains("not one of the coordinator URLs given"), "\(cli.log)")
        let recorded = (try? String(contentsOfFile: seen, encoding: .utf8)) ?? ""
        await server.stop()
        #expect(!recorded.contains("secret-admin-token"), "the token went to another host: \(recorded)")
    }
}
