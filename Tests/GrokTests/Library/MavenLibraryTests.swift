import Testing
@testable import Grok

@Suite("Logstash library: maven")
struct MavenLibraryTests {
    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "MAVEN_VERSION", "3.8.6"),
        LibraryCase(.legacy, "MAVEN_VERSION", "2.1.0-SNAPSHOT"),
        LibraryCase(.legacy, "MAVEN_VERSION", "4.3.2.RELEASE"),
        LibraryCase(.legacy, "MAVEN_VERSION", "1.0.*"),
        LibraryCase(.ecs, "MAVEN_VERSION", "17"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "MAVEN_VERSION", "v3.8.6"),
        LibraryReject(.legacy, "MAVEN_VERSION", "1.2.3.4"),
        LibraryReject(.ecs, "MAVEN_VERSION", "2.1.0-beta"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
