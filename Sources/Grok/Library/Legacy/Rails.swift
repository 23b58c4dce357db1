extension LogstashLibrary {
    /// Logstash's `rails` patterns (legacy field names): the Rails 3+ request log (Started …,
    /// Processing by …, Completed …), as one multi-line event.
    static let legacyRails: [String: String] = [
        // A request ID: 32 hex digits.
        "RUUID": #"[0-9A-Fa-f]{32}"#,
        // UsersController#show
        "RCONTROLLER": #"%{DATA:controller}#%{WORD:action}"#,
        // 2013-12-05 15:39:09 +0000 (the time in a Started line; not a Logstash name)
        "RAILS3_TIMESTAMP": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND} %{ISO8601_TIMEZONE}"#,
        // The lines between Processing and Completed, each with its newline (not a Logstash name).
        "RAILS3_CONTEXT": #"(?>[^\n]*\n)*"#,
        // Started GET "/users/1" for 127.0.0.1 at 2013-12-05 15:39:09 +0000
        "RAILS3HEAD": #"Started %{WORD:verb} "%{URIPATHPARAM:request}" for %{IPORHOST:clientip} at %{RAILS3_TIMESTAMP:timestamp}"#,
        // Processing by UsersController#show as HTML\n  Parameters: {"id"=>"1"}
        "RPROCESSING": #"\W*Processing by %{RCONTROLLER} as %{NOTSPACE:format}(?:\W*Parameters: \{%{DATA:params}\}\W*)?"#,
        // Completed 200 OK in 12ms (Views: 8.5ms | ActiveRecord: 0.4ms)
        "RAILS3FOOT": #"Completed %{NUMBER:response}%{DATA} in %{NUMBER:totalms:float}ms %{RAILS3PROFILE}%{GREEDYDATA}"#,
        "RAILS3PROFILE": #"(?:\(Views: %{NUMBER:viewms:float}ms \| ActiveRecord: %{NUMBER:activerecordms:float}ms|\(ActiveRecord: %{NUMBER:activerecordms:float}ms)?"#,
        // A whole request: head, processing, the lines between (context), foot.
        "RAILS3": #"%{RAILS3HEAD}(?:%{RPROCESSING})?%{RAILS3_CONTEXT:context}(?:%{RAILS3FOOT})?"#,
    ]
}
