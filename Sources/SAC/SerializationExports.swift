import CSac
import SACCore

// The exported functions of sac.h's "Weights and checkpoints" section.

private func jsonKind(_ kind: Int32) throws(SACError) -> AgentJSON.Kind {
    switch kind {
    case Int32(SAC_JSON_POLICY.rawValue): return .policy
    case Int32(SAC_JSON_CHECKPOINT.rawValue): return .checkpoint
    default:
        throw SACError(.invalidArgument, "kind is \(kind); expected SAC_JSON_POLICY (1) or SAC_JSON_CHECKPOINT (2)")
    }
}

private func publish(_ agent: Agent, to out: UnsafeMutablePointer<OpaquePointer?>) {
    out.pointee = OpaquePointer(Unmanaged.passRetained(agent).toOpaque())
}

@c @implementation
public func sac_to_json(
    _ handle: OpaquePointer?, _ kind: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
    _ needed: UnsafeMutablePointer<Int>?
) -> Int32 {
    reportingErrors("sac_to_json") { () throws(SACError) in
        let agent = try agentObject(handle)
        let needed = try Check.notNull(needed, "needed")
        if capacity > 0 { _ = try Check.notNull(buffer, "buf") }
        var text = try AgentJSON.encode(agent, kind: jsonKind(kind))
        let size = text.utf8.count + 1
        needed.pointee = size
        // The documented size query (NULL, 0) is the normal first call: its status says "too small",
        // but it is no failure, so it keeps sac_last_error's message.
        if buffer == nil && capacity == 0 { throw SACError.quietBufferTooSmall }
        guard capacity >= size, let buffer else {
            throw SACError(.bufferTooSmall, "cap is \(capacity) but the JSON text needs \(size) bytes (see *needed)")
        }
        text.withUTF8 { utf8 in
            UnsafeMutableRawPointer(buffer).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            buffer[utf8.count] = 0
        }
    }
}

@c @implementation
public func sac_from_json(_ json: UnsafePointer<CChar>?, _ length: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    reportingErrors("sac_from_json") { () throws(SACError) in
        let json = try Check.notNull(json, "json")
        let out = try Check.notNull(out, "out")
        // len is a size_t: above Int.max it reads as negative here.
        guard length >= 0 else { throw SACError(.format, "len is \(UInt(bitPattern: length)), more bytes than memory can hold") }
        publish(try AgentJSON.decode(UnsafeRawBufferPointer(start: json, count: length)), to: out)
    }
}

@c @implementation
public func sac_save_json(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ kind: Int32) -> Int32 {
    reportingErrors("sac_save_json") { () throws(SACError) in
        let agent = try agentObject(handle)
        let path = String(cString: try Check.notNull(path, "path"))
        try Files.writeAtomically(path, AgentJSON.encode(agent, kind: jsonKind(kind)))
    }
}

@c @implementation
public func sac_load_json(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    reportingErrors("sac_load_json") { () throws(SACError) in
        let path = String(cString: try Check.notNull(path, "path"))
        let out = try Check.notNull(out, "out")
        let bytes = try Files.read(path)
        let agent = try bytes.withBytes { buffer throws(SACError) in try AgentJSON.decode(buffer) }
        publish(agent, to: out)
    }
}

@c @implementation
public func sac_save_replay(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    reportingErrors("sac_save_replay") { () throws(SACError) in
        let agent = try agentObject(handle)
        let path = String(cString: try Check.notNull(path, "path"))
        try agent.requireTrainable()
        let bytes = ReplayFile.encode(agent.replay, actionCount: agent.config.actionCount)
        try bytes.withBytes { buffer throws(SACError) in try Files.writeAtomically(path, buffer) }
    }
}

@c @implementation
public func sac_load_replay(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    reportingErrors("sac_load_replay") { () throws(SACError) in
        let agent = try agentObject(handle)
        let path = String(cString: try Check.notNull(path, "path"))
        try agent.requireTrainable()
        try ReplayFile.decode(try Files.read(path), into: agent.replay, actionCount: agent.config.actionCount)
    }
}
