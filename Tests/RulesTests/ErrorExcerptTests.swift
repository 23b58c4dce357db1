import Foundation
import Rules
import Testing

/// Errors name the offending token and where it is, never more of the file (issue 24: a rule
/// file that was `/etc/shadow` put its lines into `/v1/rules` as "unknown key 'root:…'").
@Suite("Errors quote at most a token")
struct ErrorExcerptTests {
    static let shadowLine = "root:$6$saltsalt$verylonghashverylonghashverylonghashverylonghashverylonghash:19000:0:99999:7:::"

    static func firstError(_ dir: TempConfig) -> ConfigError? {
        do throws(ConfigErrors) {
            _ = try ConfigDirectory.load(dir.path)
            return nil
        } catch {
            return error.errors.first
        }
    }

    @Test func aFileThatIsNoRuleFileShowsOnlyTheStartOfItsFirstKey() throws {
        let dir = try TempConfig(rules: ["shadow.yaml": Self.shadowLine + "\ndaemon:*:19000:0:99999:7:::\n"])
        let path = dir.path + "/rules.d/shadow.yaml"
        let e = try #require(Self.firstError(dir))
        #expect(e.file == path && e.line == 1)
        #expect(e.description.hasPrefix(path + ":1:"), "\(e)")
        #expect(e.message.hasPrefix("unknown key 'root:$6$saltsalt$verylon…' in a rule file"), "\(e)")
        #expect(!e.description.contains(Self.shadowLine) && !e.description.contains(String(Self.shadowLine.dropLast())), "\(e)")
        #expect(!e.description.contains("verylonghash") && !e.description.contains("19000") && !e.description.contains("daemon"), "\(e)")
    }

    @Test func aKeyOfControlCharactersIsRefusedByItsCodeNotItsLine() throws {
        let dir = try TempConfig(rules: ["esc.yaml": "source: a\npa\u{1b}]0;pwned\u{07}ths: [x]\nrules: []\n"])
        let e = try #require(Self.firstError(dir))
        #expect(e.file == dir.path + "/rules.d/esc.yaml" && e.line == 2, "\(e)")
        #expect(e.message.contains("#x1b"), "\(e)")
        #expect(!e.description.contains("\u{1b}") && !e.description.contains("pwned"), "\(e)")
    }

    @Test func duplicateKeysAreQuotedShort() throws {
        let key = String(repeating: "k", count: 100)
        let dir = try TempConfig(rules: ["dup.yaml": "\(key): 1\n\(key): 2\n"])
        let e = try #require(Self.firstError(dir))
        #expect(e.message.contains(String(repeating: "k", count: ConfigError.keyExcerptLimit) + "…"), "\(e)")
        #expect(!e.description.contains(key), "\(e)")
    }

    @Test func anExcerptIsCutAndEscaped() {
        #expect(ConfigError.excerpt("pathz") == "pathz")
        #expect(ConfigError.excerpt(String(repeating: "a", count: 64)) == String(repeating: "a", count: 64))
        #expect(ConfigError.excerpt(String(repeating: "a", count: 65)) == String(repeating: "a", count: 64) + "…")
        #expect(ConfigError.excerpt("a\u{1b}[31mb\rc\u{202e}d") == "a\\x1b[31mb\\rc\\u202ed")
        #expect(ConfigError.excerpt("abcdef", limit: 3) == "abc…")
        // Cut by Unicode scalars: a character of endless combining marks is cut too.
        #expect(ConfigError.excerpt("e" + String(repeating: "\u{301}", count: 1000)).unicodeScalars.count == 65)
    }

    @Test func existingWordingIsKept() throws {
        let dir = try TempConfig(rules: ["bad.yaml": "source: a\npaths: [x]\nrulez: []\n"])
        let e = try #require(Self.firstError(dir))
        #expect(e.message == "unknown key 'rulez' in a rule file; did you mean 'rules'?")
    }
}
