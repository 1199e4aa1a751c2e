import ATSTestSupport
import Foundation
import Testing

/// The per-bar path allocates nothing: `ats backtest` over twice the bars makes (almost) no more
/// heap allocations. Counted in the real process with a preloaded `malloc` that counts calls and
/// forwards to glibc (built here with the C compiler the Swift toolchain links with).
@Suite(.serialized)
struct AllocationTests {
    static let bars = 40_000

    /// Every built-in strategy, configured so that it computes everything on every bar but sends
    /// no order (orders allocate: an order's history, its fill; per order, not per bar), and
    /// `grid`, whose resting orders are matched against every bar without filling.
    static let runs: [[String]] = [
        ["--strategy", "sma_cross", "--param", "fraction=0"],
        ["--strategy", "rsi_reversion", "--param", "fraction=0"],
        ["--strategy", "macd_cross", "--param", "fraction=0"],
        ["--strategy", "bollinger_breakout", "--param", "fraction=0"],
        ["--strategy", "simple_ma", "--param", "rsi_long=100"],
        ["--strategy", "simple_ma", "--param", "ma=wma", "--param", "rsi_long=100"],
        ["--strategy", "simple", "--param", "probability=0"],
        ["--strategy", "grid", "--param", "spacing=0.5", "--param", "levels=2"],
        ["--strategy", "dca", "--param", "interval=10000000"],
        ["--strategy", "momentum", "--param", "threshold=1"],
        ["--strategy", "noop"],
    ]

    @Test(arguments: runs)
    func backtestsAllocateNothingPerBar(_ arguments: [String]) async throws {
        let files = try await Self.files
        let short = try await Self.allocations(arguments + ["--data", files.short])
        let long = try await Self.allocations(arguments + ["--data", files.long])
        // One allocation per bar would add 40,000; growth of amortised buffers adds a handful.
        #expect(
            long - short < Self.bars / 200,
            "\(arguments): \(short) allocations over \(Self.bars) bars, \(long) over twice as many")
        #expect(short > 0, "the counter counted")
    }

    /// Heap allocations (malloc, calloc, realloc, aligned) of one `ats backtest` run.
    static func allocations(_ arguments: [String]) async throws -> Int {
        let dir = try workDirectory
        let countFile = dir.appendingPathComponent("count-\(UUID().uuidString)").path
        try await run(
            "ats", ["backtest", "--quiet", "--json", "--cash", "1000000"] + arguments,
            environment: ["LD_PRELOAD": try await counter, "ATS_ALLOC_COUNT_FILE": countFile])
        let count = try String(contentsOfFile: countFile, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: countFile)
        guard let n = Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure("no allocation count in \(countFile): \(count)")
        }
        return n
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let workDirectoryResult: Result<URL, any Error> = Result {
        // Reused from run to run (the files are rewritten), so nothing piles up in /tmp.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ats-tests/allocations", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static var workDirectory: URL { get throws { try workDirectoryResult.get() } }

    /// Catalogs of `bars` and `2 × bars` synthetic bars (a catalog loads with the same
    /// allocations whatever its length; a CSV's parse does not).
    static let filesTask = Task { () async throws -> (short: String, long: String) in
        let dir = try workDirectory
        func make(_ count: Int) async throws -> String {
            let csv = dir.appendingPathComponent("bars-\(count).csv").path
            let catalog = dir.appendingPathComponent("bars-\(count).atsb").path
            try await run("ats", ["data", "synth", "--bars", "\(count)", "--seed", "5", "--out", csv])
            try await run("ats", ["data", "import", "--in", csv, "--out", catalog])
            try? FileManager.default.removeItem(atPath: csv)
            return catalog
        }
        return (try await make(bars), try await make(2 * bars))
    }

    static var files: (short: String, long: String) { get async throws { try await filesTask.value } }

    /// The preloadable counter, compiled once.
    static let counterTask = Task { () async throws -> String in
        let dir = try workDirectory
        let source = dir.appendingPathComponent("count_allocations.c")
        let library = dir.appendingPathComponent("libcount_allocations.so").path
        try counterSource.write(to: source, atomically: true, encoding: .utf8)
        let compiler = ["clang", "cc", "gcc"].first { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        guard let compiler else { throw Failure("no C compiler (clang, cc or gcc) on PATH") }
        try await run(compiler, ["-O2", "-shared", "-fPIC", "-o", library, source.path], searchPath: true)
        return library
    }

    static var counter: String { get async throws { try await counterTask.value } }

    /// Runs one of our executables (or, with `searchPath`, a tool on PATH) to completion; its
    /// output becomes the error when it fails.
    static func run(
        _ executable: String, _ arguments: [String], searchPath: Bool = false, environment: [String: String] = [:]
    ) async throws {
        let (path, fullArguments) =
            searchPath
            ? ("/usr/bin/env", [executable] + arguments)
            : (ChildProcess.binDirectory.appendingPathComponent(executable).path, arguments)
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "ATS_ENV_FILE": "/nonexistent",
        ].merging(environment) { $1 }
        let (status, text) = try await runTool(path, fullArguments, environment: environment)
        guard status == 0 else {
            throw Failure("\(executable) \(arguments) exited \(status): \(text)")
        }
    }

    /// Counts every allocation call and forwards it to glibc; writes the count at exit.
    static let counterSource = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <stdio.h>
        #include <stdlib.h>

        extern void *__libc_malloc(size_t);
        extern void *__libc_calloc(size_t, size_t);
        extern void *__libc_realloc(void *, size_t);
        extern void *__libc_memalign(size_t, size_t);

        static long calls;
        static void counted(void) { __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED); }

        void *malloc(size_t n) { counted(); return __libc_malloc(n); }
        void *calloc(size_t a, size_t b) { counted(); return __libc_calloc(a, b); }
        void *realloc(void *p, size_t n) { counted(); return __libc_realloc(p, n); }
        void *memalign(size_t align, size_t n) { counted(); return __libc_memalign(align, n); }
        void *aligned_alloc(size_t align, size_t n) { counted(); return __libc_memalign(align, n); }
        int posix_memalign(void **out, size_t align, size_t n) {
            counted();
            void *p = __libc_memalign(align, n);
            if (!p) return ENOMEM;
            *out = p;
            return 0;
        }

        __attribute__((destructor)) static void report(void) {
            const char *path = getenv("ATS_ALLOC_COUNT_FILE");
            if (!path) return;
            long total = __atomic_load_n(&calls, __ATOMIC_RELAXED);
            FILE *f = fopen(path, "w");
            if (f) { fprintf(f, "%ld\\n", total); fclose(f); }
        }
        """
}
