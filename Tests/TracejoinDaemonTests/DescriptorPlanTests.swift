import Testing
@testable import TracejoinDaemon

/// How the open file limit is shared between the daemon, its listeners and the log files.
@Suite("Descriptor plan")
struct DescriptorPlanTests {
    @Test func listenersWithinHalfAreKept() {
        // 1,024 less the daemon's 64 and the query socket's 32: 928, of which listeners may have 464.
        let plan = DescriptorPlan(limit: 1024, listeners: [100, 100])
        #expect(plan.connections == [100, 100])
        #expect(!plan.scaled)
        #expect(plan.tailing == 728)
        #expect(DescriptorPlan(limit: 1024, listeners: [464]) == DescriptorPlan(limit: 1024, listeners: [464]))
        #expect(!DescriptorPlan(limit: 1024, listeners: [464]).scaled)
    }

    @Test func listenersOverHalfAreScaledInProportion() {
        let plan = DescriptorPlan(limit: 1024, listeners: [1000, 500, 100])
        #expect(plan.scaled)
        #expect(plan.connections == [290, 145, 29])
        #expect(plan.tailing == 928 - 464)
        #expect(DescriptorPlan(limit: 1024, listeners: [465]).connections == [464])
    }

    @Test func aTinyLimitStillGivesEachListenerOneAndTheTailerSixteen() {
        let plan = DescriptorPlan(limit: 100, listeners: [10, 10])
        #expect(plan.connections == [1, 1])
        #expect(plan.scaled)
        #expect(plan.tailing == 16)
        let none = DescriptorPlan(limit: 0, listeners: [5])
        #expect(none.connections == [1])
        #expect(none.tailing == 16)
    }

    @Test func noListenersLeaveEverythingToTheTailer() {
        let plan = DescriptorPlan(limit: 4096, listeners: [])
        #expect(plan.connections.isEmpty)
        #expect(!plan.scaled)
        #expect(plan.tailing == 4096 - 96)
    }

    /// A configured limit of any size is capped, not multiplied into an overflow.
    @Test func hugeLimitsDoNotOverflow() {
        let plan = DescriptorPlan(limit: 1_048_576, listeners: [Int.max])
        #expect(plan.scaled)
        #expect(plan.connections == [(1_048_576 - 96) / 2])
        #expect(plan.tailing == (1_048_576 - 96) / 2)
        let many = DescriptorPlan(limit: 1_048_576, listeners: [Int.max, Int.max, 1])
        #expect(many.connections.count == 3)
        #expect(many.connections.allSatisfy { $0 >= 1 })
    }

    /// Scaled or not, the listeners never take more than half of what is left (give or take
    /// the one each is granted at least), and the tailer has the rest.
    @Test(arguments: [256, 1024, 4096, 65_536])
    func theListenersShareIsBounded(_ limit: Int) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let wanted = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 1...100_000, using: &rng) }
            let plan = DescriptorPlan(limit: limit, listeners: wanted)
            let available = limit - DescriptorPlan.own - DescriptorPlan.querySocket
            let taken = plan.connections.reduce(0, +)
            #expect(plan.connections.count == wanted.count)
            #expect(taken <= available / 2 + wanted.count)
            #expect(zip(plan.connections, wanted).allSatisfy { $0 <= $1 })
            #expect(plan.tailing == max(16, available - taken))
            #expect(plan.scaled == (wanted.reduce(0, +) > available / 2))
        }
    }
}
