import Testing
@testable import Grok

@Suite("Logstash library: rails")
struct RailsLibraryTests {
    static let head = #"Started GET "/users/1?tab=orders" for 127.0.0.1 at 2013-12-05 15:39:09 +0000"#
    static let request = "Started GET \"/users/1\" for 127.0.0.1 at 2013-12-05 15:39:09 +0000\nProcessing by UsersController#show as HTML\n  Parameters: {\"id\"=>\"1\"}\n  User Load (0.4ms)  SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = $1 LIMIT $2\n  Rendered users/show.html.erb within layouts/application (3.1ms)\nCompleted 200 OK in 12ms (Views: 8.5ms | ActiveRecord: 0.4ms)"
    static let foot = #"Completed 200 OK in 12ms (Views: 8.5ms | ActiveRecord: 0.4ms)"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "RAILS3HEAD", head,
                    ["verb": "GET", "request": "/users/1?tab=orders", "clientip": "127.0.0.1", "timestamp": "2013-12-05 15:39:09 +0000"]),
        LibraryCase(.ecs, "RAILS3HEAD", head,
                    ["http.request.method": "GET", "url.original": "/users/1?tab=orders", "source.address": "127.0.0.1",
                     "timestamp": "2013-12-05 15:39:09 +0000", "verb": nil]),
        LibraryCase(.legacy, "RAILS3", request,
                    ["verb": "GET", "request": "/users/1", "controller": "UsersController", "action": "show", "format": "HTML",
                     "params": #""id"=>"1""#, "response": "200", "totalms": "12", "viewms": "8.5", "activerecordms": "0.4"]),
        LibraryCase(.ecs, "RAILS3", request,
                    ["http.request.method": "GET", "rails.controller.class": "UsersController", "rails.controller.action": "show",
                     "rails.request.format": "HTML", "rails.request.params": #""id"=>"1""#, "http.response.status_code": "200",
                     "rails.request.duration.total": "12", "rails.request.duration.view": "8.5",
                     "rails.request.duration.active_record": "0.4"]),
        LibraryCase(.legacy, "RAILS3", head, ["verb": "GET", "controller": nil, "response": nil]),
        LibraryCase(.legacy, "RPROCESSING", "Processing by Admin::OrdersController#index as JSON",
                    ["controller": "Admin::OrdersController", "action": "index", "format": "JSON"]),
        LibraryCase(.legacy, "RCONTROLLER", "UsersController#show", ["controller": "UsersController", "action": "show"]),
        LibraryCase(.ecs, "RCONTROLLER", "UsersController#show", ["rails.controller.class": "UsersController", "rails.controller.action": "show"]),
        LibraryCase(.legacy, "RAILS3FOOT", foot, ["response": "200", "totalms": "12", "viewms": "8.5", "activerecordms": "0.4"]),
        LibraryCase(.ecs, "RAILS3FOOT", #"Completed 302 Found in 5ms (ActiveRecord: 1.2ms)"#,
                    ["http.response.status_code": "302", "rails.request.duration.total": "5", "rails.request.duration.active_record": "1.2",
                     "rails.request.duration.view": nil]),
        LibraryCase(.legacy, "RAILS3PROFILE", "(ActiveRecord: 1.2ms", ["activerecordms": "1.2"]),
        LibraryCase(.legacy, "RUUID", "5f2b9a1c8e3d4f60a7b8c9d0e1f2a3b4"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "RAILS3HEAD", #"Started GET /users/1 for 127.0.0.1 at 2013-12-05 15:39:09 +0000"#),
        LibraryReject(.ecs, "RAILS3", "Processing by UsersController#show as HTML"),
        LibraryReject(.legacy, "RAILS3FOOT", "Completed in 12ms"),
        LibraryReject(.legacy, "RCONTROLLER", "UsersController.show"),
        LibraryReject(.legacy, "RUUID", "5f2b9a1c-8e3d-4f60-a7b8-c9d0e1f2a3b4"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
