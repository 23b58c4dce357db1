import ArgumentParser
import TracejoinCLI

/// The executable: everything lives in TracejoinCLI, so tests can reach it.
@main
extension TracejoinCommand {}
