import NIOConcurrencyHelpers

/// A value behind a lock: shared state in every module is guarded with this.
///
/// Not `Synchronization.Mutex`: on Linux it waits with futexes from inside the standard library,
/// which ThreadSanitizer does not instrument, so every lock-protected access it guards looks
/// like a race to `make test-tsan` (a correct two-thread program showed "Swift access race").
/// NIOConcurrencyHelpers' box locks a pthread mutex, which ThreadSanitizer understands.
public typealias Locked<Value> = NIOLockedValueBox<Value>

extension NIOLockedValueBox {
    /// `body` with the value, under the lock (the spelling of `Mutex.withLock`).
    @inlinable
    public func withLock<Success, Failure: Error>(_ body: (inout Value) throws(Failure) -> Success) throws(Failure) -> Success {
        // withLockedValue rethrows untyped: the typed error is carried out in a Result.
        let outcome: Result<Success, Failure> = withLockedValue { value in Result { () throws(Failure) in try body(&value) } }
        return try outcome.get()
    }
}
