import Foundation

/// A message's header: who sent it, when, and what it is.
public struct MessageHeader: Equatable, Sendable {
    /// The protocol version this kernel speaks.
    public static let protocolVersion = "5.3"

    public var messageID: String
    public var session: String
    public var username: String
    /// ISO 8601, as jupyter_client writes it.
    public var date: String
    public var messageType: String
    public var version: String

    public init(messageID: String = UUID().uuidString.lowercased(), session: String, username: String,
                date: String = MessageHeader.now(), messageType: String, version: String = MessageHeader.protocolVersion) {
        self.messageID = messageID
        self.session = session
        self.username = username
        self.date = date
        self.messageType = messageType
        self.version = version
    }

    /// Reads a header frame; nil when it is not an object with a `msg_id` and a `msg_type`.
    public init?(_ json: JSONValue) {
        guard let messageID = json["msg_id"]?.stringValue, let messageType = json["msg_type"]?.stringValue else {
            return nil
        }
        self.init(messageID: messageID, session: json["session"]?.stringValue ?? "",
                  username: json["username"]?.stringValue ?? "", date: json["date"]?.stringValue ?? "",
                  messageType: messageType, version: json["version"]?.stringValue ?? "")
    }

    /// The header as its JSON frame holds it.
    public var json: JSONValue {
        ["msg_id": .string(messageID), "session": .string(session), "username": .string(username),
         "date": .string(date), "msg_type": .string(messageType), "version": .string(version)]
    }

    /// Now, in UTC with microseconds, as jupyter_client's `utcnow().isoformat()` plus the zone.
    public static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, time.tv_nsec / 1000)
    }
}
