extension LogstashLibrary {
    /// Logstash's `nagios` patterns (legacy field names): the Nagios (and Icinga 1) event log,
    /// `[epoch] TYPE: field;field;…`, one pattern per log entry type and external command.
    /// A field before a `;` never holds one (Nagios object names cannot), so each is matched
    /// atomically: a line that does not fit fails fast however many `;` its text has.
    static let legacyNagios: [String: String] = [
        // The entry's time: `[1427925600]` (Unix seconds).
        "NAGIOSTIME": #"\[%{NUMBER:nagios_epoch}\]"#,

        // Log entry types.
        "NAGIOS_TYPE_CURRENT_SERVICE_STATE": #"CURRENT SERVICE STATE"#,
        "NAGIOS_TYPE_CURRENT_HOST_STATE": #"CURRENT HOST STATE"#,
        "NAGIOS_TYPE_SERVICE_NOTIFICATION": #"SERVICE NOTIFICATION"#,
        "NAGIOS_TYPE_HOST_NOTIFICATION": #"HOST NOTIFICATION"#,
        "NAGIOS_TYPE_SERVICE_ALERT": #"SERVICE ALERT"#,
        "NAGIOS_TYPE_HOST_ALERT": #"HOST ALERT"#,
        "NAGIOS_TYPE_SERVICE_FLAPPING_ALERT": #"SERVICE FLAPPING ALERT"#,
        "NAGIOS_TYPE_HOST_FLAPPING_ALERT": #"HOST FLAPPING ALERT"#,
        "NAGIOS_TYPE_SERVICE_DOWNTIME_ALERT": #"SERVICE DOWNTIME ALERT"#,
        "NAGIOS_TYPE_HOST_DOWNTIME_ALERT": #"HOST DOWNTIME ALERT"#,
        "NAGIOS_TYPE_PASSIVE_SERVICE_CHECK": #"PASSIVE SERVICE CHECK"#,
        "NAGIOS_TYPE_PASSIVE_HOST_CHECK": #"PASSIVE HOST CHECK"#,
        "NAGIOS_TYPE_SERVICE_EVENT_HANDLER": #"SERVICE EVENT HANDLER"#,
        "NAGIOS_TYPE_HOST_EVENT_HANDLER": #"HOST EVENT HANDLER"#,
        "NAGIOS_TYPE_EXTERNAL_COMMAND": #"EXTERNAL COMMAND"#,
        "NAGIOS_TYPE_TIMEPERIOD_TRANSITION": #"TIMEPERIOD TRANSITION"#,

        // External command names (the command file's `COMMAND_NAME;arg;…`).
        "NAGIOS_EC_DISABLE_SVC_CHECK": #"DISABLE_SVC_CHECK"#,
        "NAGIOS_EC_ENABLE_SVC_CHECK": #"ENABLE_SVC_CHECK"#,
        "NAGIOS_EC_DISABLE_HOST_CHECK": #"DISABLE_HOST_CHECK"#,
        "NAGIOS_EC_ENABLE_HOST_CHECK": #"ENABLE_HOST_CHECK"#,
        "NAGIOS_EC_PROCESS_SERVICE_CHECK_RESULT": #"PROCESS_SERVICE_CHECK_RESULT"#,
        "NAGIOS_EC_PROCESS_HOST_CHECK_RESULT": #"PROCESS_HOST_CHECK_RESULT"#,
        "NAGIOS_EC_SCHEDULE_SERVICE_DOWNTIME": #"SCHEDULE_SERVICE_DOWNTIME"#,
        "NAGIOS_EC_SCHEDULE_HOST_DOWNTIME": #"SCHEDULE_HOST_DOWNTIME"#,
        "NAGIOS_EC_DISABLE_HOST_SVC_NOTIFICATIONS": #"DISABLE_HOST_SVC_NOTIFICATIONS"#,
        "NAGIOS_EC_ENABLE_HOST_SVC_NOTIFICATIONS": #"ENABLE_HOST_SVC_NOTIFICATIONS"#,
        "NAGIOS_EC_DISABLE_HOST_NOTIFICATIONS": #"DISABLE_HOST_NOTIFICATIONS"#,
        "NAGIOS_EC_ENABLE_HOST_NOTIFICATIONS": #"ENABLE_HOST_NOTIFICATIONS"#,
        "NAGIOS_EC_DISABLE_SVC_NOTIFICATIONS": #"DISABLE_SVC_NOTIFICATIONS"#,
        "NAGIOS_EC_ENABLE_SVC_NOTIFICATIONS": #"ENABLE_SVC_NOTIFICATIONS"#,

        // Warnings Nagios logs about itself: `Warning: Return code of 255 for check of service …`.
        "NAGIOS_WARNING": #"Warning:%{SPACE}%{GREEDYDATA:nagios_message}"#,
        // `CURRENT SERVICE STATE: host;service;OK;HARD;1;output` (logged at start and log rotation).
        "NAGIOS_CURRENT_SERVICE_STATE": #"%{NAGIOS_TYPE_CURRENT_SERVICE_STATE:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statetype};)(?>%{DATA:nagios_statecode};)%{GREEDYDATA:nagios_message}"#,
        // `CURRENT HOST STATE: host;UP;HARD;1;output`.
        "NAGIOS_CURRENT_HOST_STATE": #"%{NAGIOS_TYPE_CURRENT_HOST_STATE:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statetype};)(?>%{DATA:nagios_statecode};)%{GREEDYDATA:nagios_message}"#,
        // `SERVICE NOTIFICATION: contact;host;service;CRITICAL;notify-command;output`.
        "NAGIOS_SERVICE_NOTIFICATION": #"%{NAGIOS_TYPE_SERVICE_NOTIFICATION:nagios_type}: (?>%{DATA:nagios_notifyname};)(?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_contact};)%{GREEDYDATA:nagios_message}"#,
        // `HOST NOTIFICATION: contact;host;DOWN;notify-command;output`.
        "NAGIOS_HOST_NOTIFICATION": #"%{NAGIOS_TYPE_HOST_NOTIFICATION:nagios_type}: (?>%{DATA:nagios_notifyname};)(?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_contact};)%{GREEDYDATA:nagios_message}"#,
        // `SERVICE ALERT: host;service;CRITICAL;SOFT;1;output`.
        "NAGIOS_SERVICE_ALERT": #"%{NAGIOS_TYPE_SERVICE_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statelevel};)%{NUMBER:nagios_attempt};%{GREEDYDATA:nagios_message}"#,
        // `HOST ALERT: host;DOWN;SOFT;1;output`.
        "NAGIOS_HOST_ALERT": #"%{NAGIOS_TYPE_HOST_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statelevel};)%{NUMBER:nagios_attempt};%{GREEDYDATA:nagios_message}"#,
        // `SERVICE FLAPPING ALERT: host;service;STARTED;Service appears to have started flapping (…)`.
        "NAGIOS_SERVICE_FLAPPING_ALERT": #"%{NAGIOS_TYPE_SERVICE_FLAPPING_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_message}"#,
        // `HOST FLAPPING ALERT: host;STOPPED;Host appears to have stopped flapping (…)`.
        "NAGIOS_HOST_FLAPPING_ALERT": #"%{NAGIOS_TYPE_HOST_FLAPPING_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_message}"#,
        // `SERVICE DOWNTIME ALERT: host;service;STARTED;Service has entered a period of scheduled downtime`.
        "NAGIOS_SERVICE_DOWNTIME_ALERT": #"%{NAGIOS_TYPE_SERVICE_DOWNTIME_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_comment}"#,
        // `HOST DOWNTIME ALERT: host;STARTED;Host has entered a period of scheduled downtime`.
        "NAGIOS_HOST_DOWNTIME_ALERT": #"%{NAGIOS_TYPE_HOST_DOWNTIME_ALERT:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_comment}"#,
        // `PASSIVE SERVICE CHECK: host;service;0;output`.
        "NAGIOS_PASSIVE_SERVICE_CHECK": #"%{NAGIOS_TYPE_PASSIVE_SERVICE_CHECK:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_comment}"#,
        // `PASSIVE HOST CHECK: host;0;output`.
        "NAGIOS_PASSIVE_HOST_CHECK": #"%{NAGIOS_TYPE_PASSIVE_HOST_CHECK:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_comment}"#,
        // `SERVICE EVENT HANDLER: host;service;CRITICAL;SOFT;1;handler-command` (the attempt number is optional here).
        "NAGIOS_SERVICE_EVENT_HANDLER": #"%{NAGIOS_TYPE_SERVICE_EVENT_HANDLER:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statelevel};)(?:%{INT};)?%{GREEDYDATA:nagios_event_handler_name}"#,
        // `HOST EVENT HANDLER: host;DOWN;HARD;1;handler-command`.
        "NAGIOS_HOST_EVENT_HANDLER": #"%{NAGIOS_TYPE_HOST_EVENT_HANDLER:nagios_type}: (?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)(?>%{DATA:nagios_statelevel};)(?:%{INT};)?%{GREEDYDATA:nagios_event_handler_name}"#,
        // `TIMEPERIOD TRANSITION: 24x7;-1;1` (time period; previous and new state).
        "NAGIOS_TIMEPERIOD_TRANSITION": #"%{NAGIOS_TYPE_TIMEPERIOD_TRANSITION:nagios_type}: (?>%{DATA:nagios_service};)%{NUMBER:nagios_unknown1};%{NUMBER:nagios_unknown2}"#,
        // `EXTERNAL COMMAND: DISABLE_SVC_CHECK;host;service`.
        "NAGIOS_EC_LINE_DISABLE_SVC_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_DISABLE_SVC_CHECK:nagios_command};(?>%{DATA:nagios_hostname};)%{GREEDYDATA:nagios_service}"#,
        // `EXTERNAL COMMAND: ENABLE_SVC_CHECK;host;service`.
        "NAGIOS_EC_LINE_ENABLE_SVC_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_ENABLE_SVC_CHECK:nagios_command};(?>%{DATA:nagios_hostname};)%{GREEDYDATA:nagios_service}"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_CHECK;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_DISABLE_HOST_CHECK:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_CHECK;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_ENABLE_HOST_CHECK:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: PROCESS_HOST_CHECK_RESULT;host;0;output`.
        "NAGIOS_EC_LINE_PROCESS_HOST_CHECK_RESULT": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_PROCESS_HOST_CHECK_RESULT:nagios_command};(?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_check_result}"#,
        // `EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;host;service;0;output`.
        "NAGIOS_EC_LINE_PROCESS_SERVICE_CHECK_RESULT": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_PROCESS_SERVICE_CHECK_RESULT:nagios_command};(?>%{DATA:nagios_hostname};)(?>%{DATA:nagios_service};)(?>%{DATA:nagios_state};)%{GREEDYDATA:nagios_check_result}"#,
        // `EXTERNAL COMMAND: SCHEDULE_HOST_DOWNTIME;host;start;end;fixed;trigger_id;duration;author;comment` (a trailing `;` is allowed).
        "NAGIOS_EC_LINE_SCHEDULE_HOST_DOWNTIME": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_SCHEDULE_HOST_DOWNTIME:nagios_command};(?>%{DATA:nagios_hostname};)%{NUMBER:nagios_start_time};%{NUMBER:nagios_end_time};%{NUMBER:nagios_fixed};%{NUMBER:nagios_trigger_id};%{NUMBER:nagios_duration};(?>%{DATA:author};)(?>%{DATA:comment}(?:;|$))"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_SVC_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_DISABLE_HOST_SVC_NOTIFICATIONS:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_SVC_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_ENABLE_HOST_SVC_NOTIFICATIONS:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_DISABLE_HOST_NOTIFICATIONS:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_ENABLE_HOST_NOTIFICATIONS:nagios_command};%{GREEDYDATA:nagios_hostname}"#,
        // `EXTERNAL COMMAND: DISABLE_SVC_NOTIFICATIONS;host;service`.
        "NAGIOS_EC_LINE_DISABLE_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_DISABLE_SVC_NOTIFICATIONS:nagios_command};(?>%{DATA:nagios_hostname};)%{GREEDYDATA:nagios_service}"#,
        // `EXTERNAL COMMAND: ENABLE_SVC_NOTIFICATIONS;host;service`.
        "NAGIOS_EC_LINE_ENABLE_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:nagios_type}: %{NAGIOS_EC_ENABLE_SVC_NOTIFICATIONS:nagios_command};(?>%{DATA:nagios_hostname};)%{GREEDYDATA:nagios_service}"#,

        // Any Nagios event log line.
        "NAGIOSLOGLINE": #"%{NAGIOSTIME} (?:%{NAGIOS_WARNING}|%{NAGIOS_CURRENT_SERVICE_STATE}|%{NAGIOS_CURRENT_HOST_STATE}|%{NAGIOS_SERVICE_NOTIFICATION}|%{NAGIOS_HOST_NOTIFICATION}|%{NAGIOS_SERVICE_ALERT}|%{NAGIOS_HOST_ALERT}|%{NAGIOS_SERVICE_FLAPPING_ALERT}|%{NAGIOS_HOST_FLAPPING_ALERT}|%{NAGIOS_SERVICE_DOWNTIME_ALERT}|%{NAGIOS_HOST_DOWNTIME_ALERT}|%{NAGIOS_PASSIVE_SERVICE_CHECK}|%{NAGIOS_PASSIVE_HOST_CHECK}|%{NAGIOS_SERVICE_EVENT_HANDLER}|%{NAGIOS_HOST_EVENT_HANDLER}|%{NAGIOS_TIMEPERIOD_TRANSITION}|%{NAGIOS_EC_LINE_DISABLE_SVC_CHECK}|%{NAGIOS_EC_LINE_ENABLE_SVC_CHECK}|%{NAGIOS_EC_LINE_DISABLE_HOST_CHECK}|%{NAGIOS_EC_LINE_ENABLE_HOST_CHECK}|%{NAGIOS_EC_LINE_PROCESS_HOST_CHECK_RESULT}|%{NAGIOS_EC_LINE_PROCESS_SERVICE_CHECK_RESULT}|%{NAGIOS_EC_LINE_SCHEDULE_HOST_DOWNTIME}|%{NAGIOS_EC_LINE_DISABLE_HOST_SVC_NOTIFICATIONS}|%{NAGIOS_EC_LINE_ENABLE_HOST_SVC_NOTIFICATIONS}|%{NAGIOS_EC_LINE_DISABLE_HOST_NOTIFICATIONS}|%{NAGIOS_EC_LINE_ENABLE_HOST_NOTIFICATIONS}|%{NAGIOS_EC_LINE_DISABLE_SVC_NOTIFICATIONS}|%{NAGIOS_EC_LINE_ENABLE_SVC_NOTIFICATIONS})"#,
    ]
}
