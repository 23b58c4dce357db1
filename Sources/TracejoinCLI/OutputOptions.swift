import ArgumentParser
import Foundation
import TracejoinModel
import TracejoinSupport

/// `--raw`, and the rule it relaxes: everything the CLI prints that came from outside (log lines,
/// span names, services, resources and tags, field names and values, file paths, the daemon's
/// error details) passes through ``TerminalText``, so that a log line holding terminal escape
/// sequences shows them as text (`\x1b]0;…`) instead of acting on the terminal. `--raw` prints
/// the stored bytes, and only where no terminal reads them: standard output a pipe or a file.
struct OutputOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Print log lines and span fields as stored, control characters included, when standard output is not a terminal (a pipe, a file). To a terminal they are escaped even with --raw, as without it: ESC as \\x1b, CR as \\r, C1 and bidi controls as \\u009b, \\u202e."))
    var raw = false

    /// Whether outside text is escaped: always, but for `--raw` with standard output not a
    /// terminal (`isatty(3)`).
    var escapes: Bool { !(raw && isatty(STDOUT_FILENO) == 0) }

    /// `s`, escaped unless `--raw` to a non-terminal.
    func text(_ s: String) -> String { escapes ? TerminalText.escape(s) : s }

    /// JSON text, its strings' control characters written `\uXXXX` unless `--raw` to a
    /// non-terminal (the same JSON either way).
    func json(_ s: String) -> String { escapes ? TerminalText.escapeJSON(s) : s }
}
