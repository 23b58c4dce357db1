extension LogstashLibrary {
    /// Logstash's `nagios` patterns, ECS set: captures under `nagios.log`, `host.hostname`,
    /// `service.name`, `user.name`; the entry's text in `message` and its epoch in `timestamp`.
    /// `NAGIOSLOGLINE` and the type and command names are shared with the legacy set.
    /// A field before a `;` never holds one (Nagios object names cannot), so each is matched
    /// atomically: a line that does not fit fails fast however many `;` its text has.
    static let ecsNagios: [String: String] = [
        // The entry's time: `[1427925600]` (Unix seconds).
        "NAGIOSTIME": #"\[%{NUMBER:timestamp}\]"#,

        // Warnings Nagios logs about itself: `Warning: Return code of 255 for check of service …`.
        "NAGIOS_WARNING": #"Warning:%{SPACE}%{GREEDYDATA:message}"#,
        // `CURRENT SERVICE STATE: host;service;OK;HARD;1;output` (logged at start and log rotation).
        "NAGIOS_CURRENT_SERVICE_STATE": #"%{NAGIOS_TYPE_CURRENT_SERVICE_STATE:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)%{INT:[nagios][log][attempt]:int};%{GREEDYDATA:message}"#,
        // `CURRENT HOST STATE: host;UP;HARD;1;output`.
        "NAGIOS_CURRENT_HOST_STATE": #"%{NAGIOS_TYPE_CURRENT_HOST_STATE:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)%{INT:[nagios][log][attempt]:int};%{GREEDYDATA:message}"#,
        // `SERVICE NOTIFICATION: contact;host;service;CRITICAL;notify-command;output`.
        "NAGIOS_SERVICE_NOTIFICATION": #"%{NAGIOS_TYPE_SERVICE_NOTIFICATION:[nagios][log][type]}: (?>%{DATA:[user][name]};)(?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][notification_command]};)%{GREEDYDATA:message}"#,
        // `HOST NOTIFICATION: contact;host;DOWN;notify-command;output`.
        "NAGIOS_HOST_NOTIFICATION": #"%{NAGIOS_TYPE_HOST_NOTIFICATION:[nagios][log][type]}: (?>%{DATA:[user][name]};)(?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][notification_command]};)%{GREEDYDATA:message}"#,
        // `SERVICE ALERT: host;service;CRITICAL;SOFT;1;output`.
        "NAGIOS_SERVICE_ALERT": #"%{NAGIOS_TYPE_SERVICE_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)%{INT:[nagios][log][attempt]:int};%{GREEDYDATA:message}"#,
        // `HOST ALERT: host;DOWN;SOFT;1;output`.
        "NAGIOS_HOST_ALERT": #"%{NAGIOS_TYPE_HOST_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)%{INT:[nagios][log][attempt]:int};%{GREEDYDATA:message}"#,
        // `SERVICE FLAPPING ALERT: host;service;STARTED;Service appears to have started flapping (…)`.
        "NAGIOS_SERVICE_FLAPPING_ALERT": #"%{NAGIOS_TYPE_SERVICE_FLAPPING_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:message}"#,
        // `HOST FLAPPING ALERT: host;STOPPED;Host appears to have stopped flapping (…)`.
        "NAGIOS_HOST_FLAPPING_ALERT": #"%{NAGIOS_TYPE_HOST_FLAPPING_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:message}"#,
        // `SERVICE DOWNTIME ALERT: host;service;STARTED;Service has entered a period of scheduled downtime`.
        "NAGIOS_SERVICE_DOWNTIME_ALERT": #"%{NAGIOS_TYPE_SERVICE_DOWNTIME_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][comment]}"#,
        // `HOST DOWNTIME ALERT: host;STARTED;Host has entered a period of scheduled downtime`.
        "NAGIOS_HOST_DOWNTIME_ALERT": #"%{NAGIOS_TYPE_HOST_DOWNTIME_ALERT:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][comment]}"#,
        // `PASSIVE SERVICE CHECK: host;service;0;output`.
        "NAGIOS_PASSIVE_SERVICE_CHECK": #"%{NAGIOS_TYPE_PASSIVE_SERVICE_CHECK:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][comment]}"#,
        // `PASSIVE HOST CHECK: host;0;output`.
        "NAGIOS_PASSIVE_HOST_CHECK": #"%{NAGIOS_TYPE_PASSIVE_HOST_CHECK:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][comment]}"#,
        // `SERVICE EVENT HANDLER: host;service;CRITICAL;SOFT;1;handler-command` (the attempt number is optional here).
        "NAGIOS_SERVICE_EVENT_HANDLER": #"%{NAGIOS_TYPE_SERVICE_EVENT_HANDLER:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)(?:%{INT};)?%{GREEDYDATA:[nagios][log][event_handler_name]}"#,
        // `HOST EVENT HANDLER: host;DOWN;HARD;1;handler-command`.
        "NAGIOS_HOST_EVENT_HANDLER": #"%{NAGIOS_TYPE_HOST_EVENT_HANDLER:[nagios][log][type]}: (?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)(?>%{DATA:[nagios][log][state_type]};)(?:%{INT};)?%{GREEDYDATA:[nagios][log][event_handler_name]}"#,
        // `TIMEPERIOD TRANSITION: 24x7;-1;1` (time period; previous and new state).
        "NAGIOS_TIMEPERIOD_TRANSITION": #"%{NAGIOS_TYPE_TIMEPERIOD_TRANSITION:[nagios][log][type]}: (?>%{DATA:[service][name]};)%{NUMBER:[nagios][log][period_from]:int};%{NUMBER:[nagios][log][period_to]:int}"#,
        // `EXTERNAL COMMAND: DISABLE_SVC_CHECK;host;service`.
        "NAGIOS_EC_LINE_DISABLE_SVC_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_DISABLE_SVC_CHECK:[nagios][log][command]};(?>%{DATA:[host][hostname]};)%{GREEDYDATA:[service][name]}"#,
        // `EXTERNAL COMMAND: ENABLE_SVC_CHECK;host;service`.
        "NAGIOS_EC_LINE_ENABLE_SVC_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_ENABLE_SVC_CHECK:[nagios][log][command]};(?>%{DATA:[host][hostname]};)%{GREEDYDATA:[service][name]}"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_CHECK;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_DISABLE_HOST_CHECK:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_CHECK;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_CHECK": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_ENABLE_HOST_CHECK:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: PROCESS_HOST_CHECK_RESULT;host;0;output`.
        "NAGIOS_EC_LINE_PROCESS_HOST_CHECK_RESULT": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_PROCESS_HOST_CHECK_RESULT:[nagios][log][command]};(?>%{DATA:[host][hostname]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][check_result]}"#,
        // `EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;host;service;0;output`.
        "NAGIOS_EC_LINE_PROCESS_SERVICE_CHECK_RESULT": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_PROCESS_SERVICE_CHECK_RESULT:[nagios][log][command]};(?>%{DATA:[host][hostname]};)(?>%{DATA:[service][name]};)(?>%{DATA:[nagios][log][status]};)%{GREEDYDATA:[nagios][log][check_result]}"#,
        // `EXTERNAL COMMAND: SCHEDULE_HOST_DOWNTIME;host;start;end;fixed;trigger_id;duration;author;comment` (a trailing `;` is allowed).
        "NAGIOS_EC_LINE_SCHEDULE_HOST_DOWNTIME": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_SCHEDULE_HOST_DOWNTIME:[nagios][log][command]};(?>%{DATA:[host][hostname]};)%{NUMBER:[nagios][log][start_time]};%{NUMBER:[nagios][log][end_time]};%{NUMBER:[nagios][log][fixed]};%{NUMBER:[nagios][log][trigger_id]};%{NUMBER:[nagios][log][duration]:int};(?>%{DATA:[user][name]};)(?>%{DATA:[nagios][log][comment]}(?:;|$))"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_SVC_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_DISABLE_HOST_SVC_NOTIFICATIONS:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_SVC_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_ENABLE_HOST_SVC_NOTIFICATIONS:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: DISABLE_HOST_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_DISABLE_HOST_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_DISABLE_HOST_NOTIFICATIONS:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: ENABLE_HOST_NOTIFICATIONS;host`.
        "NAGIOS_EC_LINE_ENABLE_HOST_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_ENABLE_HOST_NOTIFICATIONS:[nagios][log][command]};%{GREEDYDATA:[host][hostname]}"#,
        // `EXTERNAL COMMAND: DISABLE_SVC_NOTIFICATIONS;host;service`.
        "NAGIOS_EC_LINE_DISABLE_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_DISABLE_SVC_NOTIFICATIONS:[nagios][log][command]};(?>%{DATA:[host][hostname]};)%{GREEDYDATA:[service][name]}"#,
        // `EXTERNAL COMMAND: ENABLE_SVC_NOTIFICATIONS;host;service`.
        "NAGIOS_EC_LINE_ENABLE_SVC_NOTIFICATIONS": #"%{NAGIOS_TYPE_EXTERNAL_COMMAND:[nagios][log][type]}: %{NAGIOS_EC_ENABLE_SVC_NOTIFICATIONS:[nagios][log][command]};(?>%{DATA:[host][hostname]};)%{GREEDYDATA:[service][name]}"#,
    ]
}
