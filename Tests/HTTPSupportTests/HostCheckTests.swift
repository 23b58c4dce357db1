import HTTPSupport
import Hummingbird
import Testing

/// DNS rebinding: a loopback listener answers only requests that name it.
@Suite("Host check")
struct HostCheckTests {
    static var check: HostCheck<BasicRequestContext> { HostCheck(listenerHost: "127.0.0.1", port: 16686) }

    @Test(arguments: ["localhost", "LOCALHOST", "localhost:16686", "127.0.0.1", "127.0.0.1:16686", "127.1.2.3", "[::1]", "[::1]:16686",
                      "::1"])
    func accepts(_ host: String) {
        #expect(Self.check.allows(host))
    }

    @Test(arguments: ["evil.example", "evil.example:16686", "localhost:8080", "127.0.0.1:1", "[::1]:9", "127.0.0.256", "127.0.0",
                      "128.0.0.1", "localhost.evil.example", "", "127.0.0.1:port"])
    func refuses(_ host: String) {
        #expect(!Self.check.allows(host))
    }

    @Test func refusesAMissingHost() {
        #expect(!Self.check.allows(nil))
    }

    @Test func acceptsTheListenersOwnNameAndAnyPortWhenTheKernelPicked() {
        let named = HostCheck<BasicRequestContext>(listenerHost: "Tracejoin.Local", port: 0)
        #expect(named.allows("tracejoin.local"))
        #expect(named.allows("tracejoin.local:41234"))
        #expect(named.allows("localhost:5"))
        #expect(!named.allows("other.local"))
        let v6 = HostCheck<BasicRequestContext>(listenerHost: "[::1]", port: 4318)
        #expect(v6.allows("[::1]:4318"))
        #expect(!v6.allows("[::1]:4317"))
    }

    @Test(arguments: [("localhost", true), ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("[::1]", true),
                      ("0.0.0.0", false), ("10.0.0.1", false), ("example.com", false)])
    func loopbackListeners(_ host: String, _ loopback: Bool) {
        #expect(HostCheck<BasicRequestContext>.isLoopback(host) == loopback)
    }
}
