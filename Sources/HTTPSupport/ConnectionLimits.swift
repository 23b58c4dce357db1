import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// What one listener allows a client: how many connections at once, and how long a client may
/// take to send a request (docs/security.md, "Bounded clients").
///
/// nginx is the model: `idleTimeout` is its `client_header_timeout` and `keepalive_timeout` in
/// one (a connection with no complete request head within this time of opening, or of its last
/// response, is closed: a request head sent a byte at a time does not reset it), and also its
/// `client_body_timeout` (a body that stops arriving for this long); `bodyTimeout` bounds the
/// whole request, head to last body byte, so a body dripped a byte at a time ends too.
public struct ConnectionLimits: Sendable, Hashable {
    /// Connections open at once; beyond it, new ones wait in the kernel's backlog (not
    /// accepted, so they hold no descriptor) until one closes.
    public var maxConnections: Int
    public var idleTimeout: Duration
    public var bodyTimeout: Duration
    /// Streaming routes (`/v1/follow`): a peer that shuts its side down while its response is
    /// being written is gone (nginx's 499), and the connection is closed at once.
    public var closeWhenPeerLeaves: Bool

    public init(maxConnections: Int = 512, idleTimeout: Duration = .seconds(60), bodyTimeout: Duration = .seconds(60),
                closeWhenPeerLeaves: Bool = false) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.closeWhenPeerLeaves = closeWhenPeerLeaves
    }

    /// Hummingbird's HTTP/1 server with these timeouts.
    public var server: HTTPServerBuilder {
        let bodyTimeout = TimeAmount(bodyTimeout), closeWhenPeerLeaves = closeWhenPeerLeaves
        return .http1(configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestTimer(bodyTimeout: bodyTimeout, closeWhenPeerLeaves: closeWhenPeerLeaves)],
            idleTimeout: TimeAmount(idleTimeout)))
    }

    /// The application's configuration for `address`: at most `maxConnections` accepted.
    public func configuration(_ address: BindAddress, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(address: address, serverName: "tracejoin",
                                 availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger))
    }
}

/// Closes a connection whose request, head to last body byte, takes longer than the body
/// timeout; and, with `closeWhenPeerLeaves`, one whose peer shuts its side down while the
/// response is being written (the write that would notice it may be long in coming on a
/// stream that has nothing to say).
final class RequestTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let bodyTimeout: TimeAmount
    let closeWhenPeerLeaves: Bool
    private var deadline: Scheduled<Void>?
    /// Between the response's head and its end.
    private var responding = false

    init(bodyTimeout: TimeAmount, closeWhenPeerLeaves: Bool) {
        self.bodyTimeout = bodyTimeout
        self.closeWhenPeerLeaves = closeWhenPeerLeaves
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: bodyTimeout) {
                loopContext.value.close(promise: nil)
            }
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closeWhenPeerLeaves, responding, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}

/// On a listening channel: at most `maxConnections` accepted connections open at once (more
/// wait in the backlog, unaccepted), and accept errors (EMFILE, ENFILE) logged, at most once a
/// second, before NIO's own handler backs accepting off. For listeners not built by
/// Hummingbird (gRPC), and on Hummingbird's for the log (it limits connections itself).
public final class AcceptGuard: ChannelDuplexHandler {
    public typealias InboundIn = Channel
    public typealias InboundOut = Channel
    public typealias OutboundIn = Never

    let maxConnections: Int?
    let name: String
    let logger: Logger
    private var open = 0
    private var waiting = false
    private var lastLogged: NIODeadline = .distantPast
    private var refusedSinceLog = 0

    public init(maxConnections: Int?, name: String, logger: Logger) {
        self.maxConnections = maxConnections
        self.name = name
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard maxConnections != nil else {
            context.fireChannelRead(data)
            return
        }
        let child = unwrapInboundIn(data)
        open += 1
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        child.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            let (handler, context) = loop.value
            handler.open -= 1
            if handler.waiting, handler.open < (handler.maxConnections ?? .max) {
                handler.waiting = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    public func read(context: ChannelHandlerContext) {
        if let maxConnections, open >= maxConnections {
            waiting = true
            return
        }
        context.read()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refusedSinceLog += 1
        let now = NIODeadline.now()
        if now - lastLogged >= .seconds(1) {
            logger.error("cannot accept connections", metadata: [
                "listener": "\(name)", "error": "\(error)", "errors": "\(refusedSinceLog)",
                "hint": "out of file descriptors? see docs/configuration.md, limits",
            ])
            lastLogged = now
            refusedSinceLog = 0
        }
        context.fireErrorCaught(error)
    }
}

/// Adds an ``AcceptGuard`` that only logs accept errors to a running listener's channel (the
/// `onServerRunning` of a Hummingbird application).
public func logAcceptErrors(_ channel: any Channel, name: String, logger: Logger) async {
    try? await channel.eventLoop.submit {
        try channel.pipeline.syncOperations.addHandler(AcceptGuard(maxConnections: nil, name: name, logger: logger), position: .first)
    }.get()
}

/// Closes its channel when an `IdleStateHandler` before it reports nothing read for its time.
public final class CloseWhenReadIdle: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = NIOAny

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
