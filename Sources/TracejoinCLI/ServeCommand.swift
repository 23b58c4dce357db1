import ArgumentParser
import Foundation
import Logging
import Rules
import TracejoinDaemon
import TracejoinModel
import TracejoinSupport

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: the config's log.level, else info).")
    var logLevel: String?

    @Option(help: "Log format: logfmt, json or text (default: the config's log.format, else logfmt).")
    var logFormat: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        if let logFormat, DaemonLogHandler.Format(rawValue: logFormat) == nil {
            throw ValidationError("unknown log format '\(logFormat)'; use logfmt, json or text")
        }
    }

    func run() async throws {
        // The config's log settings, if it loads; its errors are reported below either way.
        let settings = try? DaemonConfig.load(directory: options.config)
        let level = Logger.Level(rawValue: logLevel ?? settings?.logLevel ?? "info") ?? .info
        let format = DaemonLogHandler.Format(rawValue: logFormat ?? settings?.logFormat ?? "logfmt") ?? .logfmt
        LoggingSystem.bootstrap { label in
            DaemonLogHandler(label: label, format: format, logLevel: level)
        }
        let logger = Logger(label: "tracejoin")
        do {
            try await Daemon.run(configDirectory: options.config, logger: logger)
        } catch let error as ConfigErrors {
            printError("tracejoin: the configuration has errors:\n" + error.description)
            throw ExitCode(2)
        } catch let error as DaemonError {
            printError("tracejoin: \(error.message)")
            throw ExitCode(1)
        }
    }
}

/// `message` on standard error, its control characters escaped (``TerminalText``) but for the
/// line breaks it is written with: messages quote the daemon's error details, file names and
/// configuration text. Text from outside is escaped where it is quoted, so that a line break
/// of its own shows as `\n` too.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((TerminalText.escape(message, keepingNewlines: true) + "\n").utf8))
}
