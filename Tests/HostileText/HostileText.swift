// Fixtures that more than one test target needs: what a visitor can put in a log line to make a
// terminal act rather than show. A target of the tests' own (not a product), so that the list
// is written once.

/// What a terminal acts on rather than shows, listed here without ``TerminalText``'s help: C0
/// controls but `\t`, DEL, C1 controls, U+2028 and U+2029, and the bidi controls.
public func activeScalars(_ s: String) -> [Unicode.Scalar] {
    let others: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
    return s.unicodeScalars.filter { v in
        (v.value < 0x20 && v != "\t") || (0x7F...0x9F).contains(v.value) || others.contains(v.value)
    }
}

/// Log lines and span fields as someone who reached an app's log would write them.
public let hostileTexts: [String] = [
    "\u{1B}]0;pwned\u{07}",  // OSC 0: sets the window title
    "\u{1B}[2J\u{1B}[H",  // clears the screen
    "\u{1B}[31mred\u{1B}[0m",  // colours what follows
    "all good\rFAKE",  // overwrites the line
    "\u{1B}]8;;https://evil.example/\u{1B}\\harmless\u{1B}]8;;\u{1B}\\",  // OSC 8 hyperlink
    "one\u{2028}two\u{2029}three",  // line and paragraph separators
    "user\u{202E}gpj.exe",  // right-to-left override (Trojan Source)
    "\u{2066}isolate\u{2069}\u{200F}\u{061C}",
    "\u{9B}31mC1 CSI\u{9D}0;title\u{9C}",  // C1 controls: CSI, OSC, ST in one character each
    "nul\u{0}bs\u{8}vt\u{B}del\u{7F}",
    "multi\nline",
]
