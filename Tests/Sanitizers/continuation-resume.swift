// ThreadSanitizer's false report on a continuation resumed before its task suspends
// (swiftlang/swift#57803; Tests/tsan-suppressions.txt). Not part of any target:
//
//   swiftc -parse-as-library -sanitize=thread Tests/Sanitizers/continuation-resume.swift -o /tmp/resume
//   /tmp/resume                                                   # a "data race" report
//   TSAN_OPTIONS=suppressions=Tests/tsan-suppressions.txt /tmp/resume   # none
//
// A plain pthread, synchronized with a pthread mutex and condition (both intercepted by
// ThreadSanitizer), resumes each continuation as soon as it is handed one; the task then writes to
// a fresh array in its frame. Every access is ordered by the mutex or by the resume itself.
import Glibc

final class Resumer: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var ready = pthread_cond_t()
    private var pending: [UnsafeContinuation<Int, Never>] = []

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&ready, nil)
    }

    func run() -> Never {
        while true {
            pthread_mutex_lock(&mutex)
            while pending.isEmpty { pthread_cond_wait(&ready, &mutex) }
            let continuation = pending.removeFirst()
            pthread_mutex_unlock(&mutex)
            continuation.resume(returning: 1)
        }
    }

    func hand(_ continuation: UnsafeContinuation<Int, Never>) {
        pthread_mutex_lock(&mutex)
        pending.append(continuation)
        pthread_cond_signal(&ready)
        pthread_mutex_unlock(&mutex)
    }
}

nonisolated(unsafe) var resumer = Resumer()

@inline(never) func grow(_ values: inout [Int]) { values.append(values.count) }

@main struct ContinuationResume {
    static func main() async {
        var thread = pthread_t()
        pthread_create(&thread, nil, { _ in resumer.run() }, nil)
        var total = 0
        for i in 0..<200_000 {
            let one = await withUnsafeContinuation { resumer.hand($0) }
            var values = [i, one]
            grow(&values)
            total += values.count
        }
        print("\(total / 3) continuations resumed")
    }
}
