extension LogstashLibrary {
    /// Logstash's `rails` patterns, ECS field names (`http.*`, `url.original`, `source.address`,
    /// `rails.*`).
    static let ecsRails: [String: String] = [
        "RCONTROLLER": #"%{DATA:[rails][controller][class]}#%{WORD:[rails][controller][action]}"#,
        "RAILS3HEAD": #"Started %{WORD:[http][request][method]} "%{URIPATHPARAM:[url][original]}" for %{IPORHOST:[source][address]} at %{RAILS3_TIMESTAMP:timestamp}"#,
        "RPROCESSING": #"\W*Processing by %{RCONTROLLER} as %{NOTSPACE:[rails][request][format]}(?:\W*Parameters: \{%{DATA:[rails][request][params]}\}\W*)?"#,
        "RAILS3FOOT": #"Completed %{POSINT:[http][response][status_code]:int}%{DATA} in %{NUMBER:[rails][request][duration][total]:float}ms %{RAILS3PROFILE}%{GREEDYDATA}"#,
        "RAILS3PROFILE": #"(?:\(Views: %{NUMBER:[rails][request][duration][view]:float}ms \| ActiveRecord: %{NUMBER:[rails][request][duration][active_record]:float}ms|\(ActiveRecord: %{NUMBER:[rails][request][duration][active_record]:float}ms)?"#,
        "RAILS3": #"%{RAILS3HEAD}(?:%{RPROCESSING})?%{RAILS3_CONTEXT:[rails][request][explain][original]}(?:%{RAILS3FOOT})?"#,
    ]
}
