import ArgumentParser
import Foundation
import Logging
import Rules
import TracejoinDaemon

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
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

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
