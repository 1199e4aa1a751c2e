import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The web dashboard in a real headless chromium (Debian's, driven by chromedriver), against a
/// real coordinator, worker and PostgreSQL: sign in, create a job in the form (a validation
/// message next to the field first), watch it complete live, look at its chart, stop a running
/// job. Screenshots go to `.data/screenshots/` for a person to look at.
@Suite(.serialized)
struct DashboardBrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".data/screenshots").path

    static let user = "trader"
    static let password = "correct-horse-battery"

    func withBrowser(
        width: Int = 1280, height: Int = 900, _ body: (TestCluster, WebDriver, String) async throws -> Void
    ) async throws {
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1", capacity: 2)
            let created = try await cluster.request(
                "POST", "api/users",
                body: try JSONSerialization.data(
                    withJSONObject: ["name": Self.user, "password": Self.password, "role": "admin"]))
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let browser = try await WebDriver(width: width, height: height)
            do {
                try await body(cluster, browser, "http://127.0.0.1:\(cluster.httpPort)/ui/")
            } catch {
                try? await browser.screenshot(to: "\(Self.screenshots)/failure-\(UUID().uuidString.prefix(6)).png")
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    func signIn(_ browser: WebDriver, _ ui: String) async throws {
        try await browser.open(ui)
        try await browser.type("#login-user", Self.user)
        try await browser.type("#login-password", Self.password)
        try await browser.click("#login-submit")
        try await browser.wait(for: "#jobs")
    }

    @Test func signInCreateAJobWatchItCompleteAndOpenItsChart() async throws {
        let data = TestData.relative(TestData.file(bars: 60_000, seed: 5))
        try await withBrowser { cluster, browser, ui in
            // A wrong password is refused on the page.
            try await browser.open(ui)
            try await browser.type("#login-user", Self.user)
            try await browser.type("#login-password", "not-the-password")
            try await browser.click("#login-submit")
            try await browser.wait(for: "#login-error") { $0.contains("wrong user name or password") }
            try await browser.screenshot(to: "\(Self.screenshots)/01-sign-in-refused.png")
            try await signIn(browser, ui)

            // The form: an invalid strategy config is refused with the message next to its field.
            try await browser.click("a[href='#/new']")
            try await browser.type("#f-name", "ui-sma")
            try await browser.type("#f-data", data)
            try await browser.type("[data-field='strategy.config.fast']", "40")
            try await browser.type("[data-field='strategy.config.slow']", "20")
            try await browser.click("#submit-job")
            let message = try await browser.wait(for: "#field-error") { !$0.isEmpty }
            #expect(message.contains("smaller"), "\(message)")
            let besideFast = try await browser.execute(
                "return document.querySelector(\"[data-field='strategy.config.fast']\").nextElementSibling.id")
            #expect(besideFast as? String == "field-error")
            #expect(try await cluster.request("GET", "api/jobs/ui-sma").status == 404, "an invalid job was stored")
            try await browser.screenshot(to: "\(Self.screenshots)/02-create-validation.png")

            // Fixed, it is created and the page follows it live to completion.
            try await browser.type("[data-field='strategy.config.slow']", "120")
            try await browser.click("#submit-job")
            try await browser.wait(for: "#job-head h1") { $0 == "ui-sma" }
            try await browser.wait(for: "#job-head .badge", text: { $0 == "completed" }, timeout: .seconds(120))
            let job = try await cluster.job("ui-sma")
            #expect(job.status == .completed)
            #expect(job.spec?.run.strategy.config["slow"] == .int(120))
            #expect(try await cluster.events("ui-sma").first { $0.kind == "created" }?.actor == "user:\(Self.user)")

            // Its chart: an equity line over the stored curve, buy and sell markers over the price.
            try await browser.wait(for: "#chart-equity polyline")
            try await waitUntil("trade markers drawn", timeout: .seconds(30)) {
                let n = try await browser.execute("return document.querySelectorAll('#chart-price path').length")
                return (n as? Int ?? 0) > 0
            }
            let points = try await browser.execute(
                "return document.querySelector('#chart-equity polyline').getAttribute('points').split(' ').length")
            let curve = try JSONCoding.decoder().decode(
                [CurvePoint].self, from: try await cluster.request("GET", "api/jobs/ui-sma/curve").body)
            #expect(points as? Int == curve.count && curve.count >= 100)
            #expect(curve.last?.barIndex == 59_999)
            // The strategy's averages over the price, named in its legend; a value not yet defined
            // (the slow average's first bars) leaves a gap rather than a line to zero.
            for (k, name) in ["fast", "slow"].enumerated() {
                let drawn = try await browser.execute(
                    """
                    return [...document.querySelectorAll("#chart-price polyline[data-series='\(name)']")]
                        .reduce((n, p) => n + p.getAttribute('points').split(' ').length, 0)
                    """)
                #expect(drawn as? Int == curve.filter { $0.plots.count == 2 && $0.plots[k].isFinite }.count, "\(name)")
                #expect((drawn as? Int ?? 0) > 0)
            }
            #expect(curve.contains { $0.plots.count == 2 && $0.plots[1].isNaN }, "the slow average starts later")
            let legend = try await browser.execute(
                "return [...document.querySelectorAll('#chart-price text.legend')].map(t => t.textContent).join(',')")
            #expect(legend as? String == "fast,slow")
            #expect(
                try await browser.text(of: "#job-fills tbody tr:first-child td:first-child") == "0", "fills table")
            try await browser.screenshot(to: "\(Self.screenshots)/03-job-completed.png")

            // The job list shows it, with its PnL.
            try await browser.open(ui + "#/jobs")
            try await browser.wait(for: "#jobs-body tr[data-name='ui-sma'] .badge") { $0 == "completed" }
            try await browser.screenshot(to: "\(Self.screenshots)/04-jobs.png")
        }
    }

    @Test func addADataSetFromTheDataPageAndRunAJobOnIt() async throws {
        let file = TestData.file(bars: 5_000, seed: 11)
        let bad = TestData.directory + "/bad-set.csv"
        try "timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1,x,0.5,1.5,10\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            try await browser.click("a[href='#/data']")
            try await browser.wait(for: "#datasets")
            // A malformed file: refused, with its name and line, on the page.
            try await browser.type("#d-file", bad, clear: false)
            try await browser.type("#d-name", "ui-bad")
            try await browser.click("#dataset-submit")
            let error = try await browser.wait(for: "#dataset-error") { !$0.isEmpty }
            #expect(error.contains("bad-set.csv:3"), "\(error)")
            // A good one: listed with its bars.
            try await browser.type("#d-file", file, clear: false)
            try await browser.type("#d-name", "ui-set")
            try await browser.type("#d-symbol", "BTC/USDT")
            try await browser.click("#dataset-submit")
            try await browser.wait(for: "#datasets-body tr[data-name='ui-set'] td:nth-child(3)") { $0 == "5,000" }
            let set = try JSONCoding.decoder().decode(
                DatasetRecord.self, from: try await cluster.request("GET", "api/datasets/ui-set").body)
            #expect(set.rows == 5_000 && set.symbol == "BTC/USDT")
            try await browser.screenshot(to: "\(Self.screenshots)/07-data-sets.png")

            // A data set added elsewhere while a name is half typed: listed live, the field kept
            // (the page once drew itself again on every data set event, emptying the form).
            #expect(
                try await browser.execute("return document.querySelector('#d-name').value") as? String == "",
                "the form is emptied after an upload")
            try await browser.type("#d-name", "half-typ")
            let other = try await cluster.request(
                "POST", "api/datasets?name=api-set&source=api.csv",
                body: Data("timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1,2,0.5,1.5,10\n".utf8))
            #expect(other.status == 201)
            try await browser.wait(for: "#datasets-body tr[data-name='api-set'] td:nth-child(3)") { $0 == "2" }
            #expect(
                try await browser.execute("return document.querySelector('#d-name').value") as? String == "half-typ")

            // A job on it from the form, pinned to its hash, run by a worker that fetches it.
            try await browser.click("a[href='#/new']")
            try await browser.type("#f-name", "ui-on-set")
            _ = try await browser.execute(
                "document.querySelector(\"[data-field='data.set']\").value = 'ui-set'; return true")
            try await browser.type("[data-field='strategy.config.fast']", "10")
            try await browser.type("[data-field='strategy.config.slow']", "30")
            try await browser.click("#submit-job")
            try await browser.wait(for: "#job-head .badge", text: { $0 == "completed" }, timeout: .seconds(120))
            let job = try await cluster.job("ui-on-set")
            #expect(job.spec?.data.set == "ui-set" && job.spec?.data.hash == set.hash)
            #expect(job.barsDone == 5_000)

            // Back on the data page: the set lists its job and cannot be removed while it is there.
            try await browser.open(ui + "#/data")
            try await browser.wait(for: "#datasets-body tr[data-name='ui-set'] td:nth-child(9)") {
                $0.contains("ui-on-set")
            }
            let disabled = try await browser.execute(
                "return document.querySelector(\"#datasets-body tr[data-name='ui-set'] button.remove\").disabled")
            #expect(disabled as? Bool == true)
        }
    }

    /// A trained model from the Models page: an unsupported one refused with the operators it
    /// names, a good one listed with its inputs, outputs and hash, then removed.
    @Test func addAndRemoveAModelFromTheModelsPage() async throws {
        let models = ModelClusterTests.models
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            try await browser.click("a[href='#/models']")
            try await browser.wait(for: "#models")
            try await browser.type("#m-file", models.appendingPathComponent("bad_unsupported.onnx").path, clear: false)
            try await browser.type("#m-name", "ui-bad")
            try await browser.click("#model-submit")
            let error = try await browser.wait(for: "#model-error") { !$0.isEmpty }
            #expect(error.contains("NonZero") && error.contains("TopK"), "\(error)")
            #expect(try await cluster.request("GET", "api/models/ui-bad").status == 404)

            try await browser.type(
                "#m-file", models.appendingPathComponent("torch_lstm_stream.onnx").path, clear: false)
            try await browser.type("#m-name", "ui-lstm")
            try await browser.click("#model-submit")
            let inputs = try await browser.wait(for: "#models-body tr[data-name='ui-lstm'] td:nth-child(4)") {
                !$0.isEmpty
            }
            let record = try JSONCoding.decoder().decode(
                ModelRecord.self, from: try await cluster.request("GET", "api/models/ui-lstm").body)
            #expect(inputs == record.summary.inputs.joined(separator: "; "))
            #expect(
                try await browser.execute(
                    "return document.querySelector(\"#models-body tr[data-name='ui-lstm'] td:nth-child(2)\").title")
                    as? String == record.hash)
            try await browser.screenshot(to: "\(Self.screenshots)/08-models.png")

            try await browser.click("#models-body tr[data-name='ui-lstm'] button.remove")
            try await browser.wait(for: "#modal-text") { $0.contains("Remove the model ui-lstm?") }
            try await browser.click("#modal-ok")
            try await waitUntil("removed", timeout: .seconds(20)) {
                try await cluster.request("GET", "api/models/ui-lstm").status == 404
            }
        }
    }

    /// A sweep on the Sweeps page: listed with its progress, then its page with the leaderboard,
    /// the overfitting statistics (flagged when they say luck), walk-forward and a heatmap.
    @Test func followASweepFromTheSweepsPage() async throws {
        let file = TestData.file(bars: 20_000, seed: 13)
        try await withBrowser { cluster, browser, ui in
            #expect(try await cluster.ats(["data", "add", file, "--name", "ui-sweep-set"]).status == 0)
            let created = try await cluster.ats([
                "sweep", "create", "--name", "ui-sweep", "--data-set", "ui-sweep-set", "--strategy", "sma_cross",
                "--param", "fast=int:2..12:2", "--param", "slow=int:20..40:10", "--walk-forward",
                "rolling:train=4d,test=2d", "--chunk-trials", "4", "--tail-slots", "0",
            ])
            #expect(created.status == 0, "\(created.output)")
            try await signIn(browser, ui)
            try await browser.click("a[href='#/sweeps']")
            try await browser.wait(
                for: "#sweeps-body tr[data-name='ui-sweep'] td:nth-child(5)",
                text: {
                    $0 == "5 / 5"
                }, timeout: .seconds(120))
            try await browser.click("#sweeps-body tr[data-name='ui-sweep'] a")
            try await browser.wait(for: "#leaderboard-body tr", text: { !$0.isEmpty })
            let rows = try await browser.execute("return document.querySelectorAll('#leaderboard-body tr').length")
            #expect(rows as? Int == 18, "6 fast × 3 slow, every one ran")
            let dsr = try await browser.wait(for: "#sweep-dsr", text: { $0.contains("Deflated") })
            #expect(dsr.contains("Deflated Sharpe ratio") && dsr.contains("best of 18 trials"), "\(dsr)")
            let flagged = try await browser.execute(
                "return document.querySelector('#sweep-dsr span.suspect, #sweep-dsr span.fine') !== null")
            #expect(flagged as? Bool == true, "the DSR is shown flagged one way or the other")
            try await browser.wait(for: "#sweep-pbo", text: { $0.contains("overfitting") })
            // 20,000 minutes (13.9 days): tests from day 4 every 2 days, four whole ones.
            let folds = try await browser.execute("return document.querySelectorAll('#walk-forward tbody tr').length")
            #expect(folds as? Int == 4)
            try await browser.wait(for: "#heatmaps table", text: { !$0.isEmpty })
            let cells = try await browser.execute(
                "return document.querySelectorAll('#heatmaps .heatmap:first-child tbody td').length")
            #expect(cells as? Int == 18)
            let oos = try await browser.execute("return document.querySelectorAll('#heatmaps .heatmap').length")
            #expect(oos as? Int == 2, "in sample beside out of sample")
            // A trial's equity one click away: the second best, run again on the coordinator.
            let second = try await browser.execute(
                "return document.querySelector('#leaderboard-body tr:nth-child(2)').dataset.trial")
            try await browser.click("#leaderboard-body tr:nth-child(2) td:nth-child(3)")
            let summary = try await browser.wait(for: "#trial-curve-summary", text: { $0.contains("run again") })
            #expect(summary.contains("the sweep's statistics, bit for bit"), "\(summary)")
            let heading = try await browser.execute("return document.querySelector('#trial-curve h2').textContent")
            #expect((heading as? String)?.hasPrefix("Trial \(second as? String ?? "?"):") == true, "\(heading ?? "")")
            let lines = try await browser.execute(
                "return document.querySelectorAll('#trial-curve svg polyline').length")
            #expect(lines as? Int == 2, "the trial's equity and buy and hold")
            let bands = try await browser.execute(
                "return document.querySelectorAll('#trial-curve svg rect.band').length")
            #expect(bands as? Int == 4, "the four test windows shaded")
            let selected = try await browser.execute(
                "return document.querySelectorAll('#leaderboard-body tr.selected').length")
            #expect(selected as? Int == 1)
            try await browser.screenshot(to: "\(Self.screenshots)/08-sweep.png")
            _ = try await browser.execute("document.getElementById('trial-curve').scrollIntoView(); return 0")
            try await browser.screenshot(to: "\(Self.screenshots)/09-sweep-trial.png")
        }
    }

    @Test func stopARunningJobFromItsPage() async throws {
        // Paced at a bar per millisecond: it runs for many seconds.
        let spec = LifecycleTests.paced("ui-paper", bars: 60_000)
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            // A search being typed, not applied yet, when a job is created: the list reloads to show
            // it, and the text and the caret stay where they were (the reload once emptied the box).
            // Typed in one step in the page (WebDriver's find-clear-type would race the list's
            // own first reload, on the stream's hello, which replaces the box under it).
            _ = try await browser.execute(
                "const b = document.querySelector('#job-search'); b.focus(); b.value = 'ui-pa'; return true")
            _ = try await cluster.create(spec)
            try await browser.wait(for: "#jobs-body tr[data-name='ui-paper'] .badge") { $0 == "running" }
            let typed = try await browser.execute(
                "const b = document.querySelector('#job-search'); return b.value + ' focused ' + (document.activeElement === b)"
            )
            #expect(typed as? String == "ui-pa focused true")
            try await browser.click("#jobs-body tr[data-name='ui-paper'] a")
            try await browser.wait(for: "#job-head .badge") { $0 == "running" }
            try await browser.screenshot(to: "\(Self.screenshots)/05-job-running.png")

            // A state change without the session's CSRF token is refused, from the page itself.
            let forged = try await browser.execute(
                "var x = new XMLHttpRequest(); x.open('POST', '/api/jobs/ui-paper/stop', false); x.send(); return x.status"
            )
            #expect(forged as? Int == 403)
            #expect(try await cluster.job("ui-paper").desiredState == .running)

            try await browser.click("#job-stop")
            try await browser.wait(for: "#modal-text") { $0.contains("Stop ui-paper") }
            try await browser.click("#modal-ok")
            try await browser.wait(for: "#job-head .badge", text: { $0 == "stopped" }, timeout: .seconds(60))
            let job = try await cluster.job("ui-paper")
            #expect(job.status == .stopped && job.desiredState == .stopped)
            #expect(job.barsDone < 60_000, "stopped before the end")
            let stop = try await cluster.events("ui-paper").first { $0.kind == "stop_requested" }
            #expect(stop?.actor == "user:\(Self.user)")
            try await browser.screenshot(to: "\(Self.screenshots)/06-job-stopped.png")

            try await browser.open(ui + "#/workers")
            try await browser.wait(for: "#workers-body tr[data-id='w1']")
            try await browser.screenshot(to: "\(Self.screenshots)/07-workers.png")
            try await browser.open(ui + "#/logs")
            try await browser.wait(for: "#log-lines div")
            try await browser.screenshot(to: "\(Self.screenshots)/08-logs.png")

            // On a phone-sized window the job list still reads.
            try await browser.resize(width: 390, height: 844)
            try await browser.open(ui + "#/jobs")
            try await browser.wait(for: "#jobs-body tr[data-name='ui-paper']")
            try await browser.screenshot(to: "\(Self.screenshots)/09-phone-jobs.png")

            // Signing out ends the session: the page asks to sign in again, the cookie is dead.
            try await browser.resize(width: 1280, height: 900)
            try await browser.click("#signout")
            try await browser.wait(for: "#login-form")
            try await browser.open(ui)
            try await browser.wait(for: "#login-form")
        }
    }

    /// A paper job on the fake venue's live candles, compared from its page with a replay of what
    /// it saw: the dashboard shows the replay identical to the run, order by order.
    @Test func comparePaperTradingWithItsReplayFromTheJobsPage() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            var spec = PaperOnLiveTests.spec(port: venue.port)
            spec.name = "ui-live-paper"
            _ = try await cluster.create(spec)
            try await waitUntil("orders filled on live candles", timeout: .seconds(60)) {
                try await cluster.fills("ui-live-paper").count >= 2
            }
            #expect(try await cluster.request("POST", "api/jobs/ui-live-paper/stop").status == 200)
            try await waitUntil("stopped", timeout: .seconds(30)) {
                try await cluster.job("ui-live-paper").status == .stopped
            }
            try await browser.open(ui + "#/job/ui-live-paper")
            try await browser.click("#divergence-run")
            try await browser.wait(for: "#divergence-summary") { $0.contains("identical to the replay") }
            let fills = try await cluster.fills("ui-live-paper")
            let summary = try await browser.text(of: "#divergence-summary")
            #expect(summary.contains("\(fills.count) job · \(fills.count) replay"), "\(summary)")
            #expect(try await browser.find("#divergence tr.differs") == nil, "no order differs")
            _ = try await browser.execute("document.getElementById('divergence').scrollIntoView()")
            try await browser.screenshot(to: "\(Self.screenshots)/13-paper-vs-replay.png", scrolled: true)
        }
    }

    /// The coordinator's log, paused: lines that come meanwhile are counted on the button, not
    /// added under the reader; resumed, the page has them.
    @Test func pauseAndResumeTheCoordinatorsLog() async throws {
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            try await browser.click("a[href='#/logs']")
            try await browser.wait(for: "#log-lines")
            try await browser.click("#log-pause")
            // "Resume", or already "Resume (1 new)" should a line come at once.
            try await browser.wait(for: "#log-pause") { $0.hasPrefix("Resume") }
            let count = "return document.querySelectorAll('#log-lines > div').length"
            let signedIn = "return document.querySelector('#log-lines').textContent.split('signed in').length - 1"
            let before = try await browser.execute(count) as? Int ?? -1
            let signedInBefore = try await browser.execute(signedIn) as? Int ?? -1
            #expect(before > 0 && signedInBefore >= 1)
            #expect(try await signInStatus(cluster, Self.user, Self.password) == 200)  // logs "signed in"
            // Counted on the button (or "reconnected", should the stream's first hello come late).
            try await browser.wait(for: "#log-pause") { $0.hasPrefix("Resume (") }
            #expect(try await browser.execute(count) as? Int == before, "a line was added while paused")
            try await browser.click("#log-pause")
            try await browser.wait(for: "#log-pause") { $0 == "Pause" }
            // Loaded again: the new sign-in is there, once (a line the stream brings again after
            // the reload is not shown twice).
            try await waitUntil("the missed line shown", timeout: .seconds(10)) {
                try await browser.execute(signedIn) as? Int ?? 0 > signedInBefore
            }
            #expect(try await browser.execute(signedIn) as? Int == signedInBefore + 1)
        }
    }

    /// A page whose load gets no answer says so in time, instead of waiting for ever, and draws
    /// once tried again.
    @Test func aPageWhoseLoadHangsSaysSoAndIsTriedAgain() async throws {
        try await withBrowser { _, browser, ui in
            try await signIn(browser, ui)
            try await browser.wait(for: "#jobs-body")
            // The workers' list never answers (until the reader aborts); reads given 2 s meanwhile, so that
            // a slow reload of the jobs list does not fail first.
            _ = try await browser.execute(
                """
                S.readTimeoutMs = 2000;
                window.realFetch = window.fetch;
                window.fetch = (url, o) => String(url).startsWith('/api/workers')
                  ? new Promise((_, reject) => o.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
                  : window.realFetch(url, o);
                return true
                """)
            try await browser.click("a[href='#/workers']")
            let error = try await browser.wait(for: "#page-error") { !$0.isEmpty }
            #expect(error == "/api/workers: no answer within 2 s", "\(error)")
            _ = try await browser.execute("S.readTimeoutMs = 60000; window.fetch = window.realFetch; return true")
            try await browser.click("#page-retry")
            try await browser.wait(for: "#workers-body")
            #expect(try await browser.execute("return document.getElementById('page-error') === null") as? Bool == true)
        }
    }

    /// A page's timed reload waits while a select's list is open (the redraw would close it), and
    /// happens once it is closed: the workers' page, reloaded on a job's changes.
    @Test func aTimedReloadWaitsWhileAListIsOpen() async throws {
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            try await browser.click("a[href='#/workers']")
            try await browser.wait(for: "#workers-body")
            // A list open (as a pointer on a select sets it), then a job's changes ask for reloads.
            _ = try await browser.execute(
                "window.drawn = document.getElementById('workers'); S.listOpen = true; return true")
            _ = try await cluster.create(LifecycleTests.paced("ui-open-list", bars: 20_000))
            try await Task.sleep(for: .seconds(4))
            #expect(
                try await browser.execute("return document.getElementById('workers') === window.drawn") as? Bool
                    == true, "redrawn under an open list")
            _ = try await browser.execute("S.listOpen = false; return true")
            try await waitUntil("the page reloaded", timeout: .seconds(15)) {
                try await browser.execute("return document.getElementById('workers') !== window.drawn") as? Bool == true
            }
        }
    }

    @Test func addChangeAndDeleteAUserFromTheUsersPage() async throws {
        try await withBrowser { cluster, browser, ui in
            try await signIn(browser, ui)
            try await browser.click("a[href='#/users']")
            try await browser.wait(for: "#users-body tr[data-name='\(Self.user)']")

            // A short password is refused next to its field, and nobody is added.
            try await browser.type("#u-name", "ops")
            try await browser.type("#u-password", "short")
            try await browser.click("#user-add")
            let message = try await browser.wait(for: "#field-error") { !$0.isEmpty }
            #expect(message.contains("at least 12"), "\(message)")
            let besidePassword = try await browser.execute(
                "return document.querySelector('#u-password').nextElementSibling.id")
            #expect(besidePassword as? String == "field-error")
            #expect(try await userNames(cluster) == [Self.user])
            try await browser.screenshot(to: "\(Self.screenshots)/10-users-validation.png")

            try await browser.type("#u-password", "ops-first-password")
            try await browser.click("#user-add")
            try await browser.wait(for: "#users-body tr[data-name='ops']")
            #expect(try await userNames(cluster) == ["ops", Self.user])
            #expect(try await signInStatus(cluster, "ops", "ops-first-password") == 200)
            let events = try JSONCoding.decoder().decode(
                [JobEvent].self, from: try await cluster.request("GET", "api/events").body)
            let saved = events.first { $0.kind == "user_saved" && $0.detail == "ops (viewer)" }
            #expect(saved?.actor == "user:\(Self.user)")
            try await browser.screenshot(to: "\(Self.screenshots)/11-users.png")

            // A new password: the old one stops working.
            try await browser.click("#users-body tr[data-name='ops'] button.pw")
            try await browser.type("#pw-new", "ops-second-password")
            try await browser.click("#pw-save")
            try await browser.wait(for: "#modal-text") { $0.contains("Set a new password for ops") }
            try await browser.click("#modal-ok")
            try await browser.wait(for: "#user-form")
            try await waitUntil("the new password works", timeout: .seconds(10)) {
                try await signInStatus(cluster, "ops", "ops-second-password") == 200
            }
            #expect(try await signInStatus(cluster, "ops", "ops-first-password") == 401)

            // Deleted after a confirmation: gone from the page and from the store.
            try await browser.click("#users-body tr[data-name='ops'] button.delete")
            try await browser.wait(for: "#modal-text") { $0.contains("Delete ops?") }
            try await browser.click("#modal-ok")
            try await waitUntil("ops is gone from the page", timeout: .seconds(10)) {
                let n = try await browser.execute(
                    "return document.querySelectorAll(\"#users-body tr[data-name='ops']\").length")
                return n as? Int == 0
            }
            #expect(try await userNames(cluster) == [Self.user])
            #expect(try await signInStatus(cluster, "ops", "ops-second-password") == 401)
        }
    }

    func userNames(_ cluster: TestCluster) async throws -> [String] {
        let users = try JSONCoding.decoder().decode(
            [UserRecord].self, from: try await cluster.request("GET", "api/users").body)
        return users.map(\.name)
    }

    /// The status of a sign-in over the API (the throttle allows 5 failures; these tests make 2).
    func signInStatus(_ cluster: TestCluster, _ user: String, _ password: String) async throws -> Int {
        try await cluster.request(
            "POST", "api/session",
            body: try JSONSerialization.data(withJSONObject: ["user": user, "password": password])
        ).status
    }
}
