/// An error raised inside the core. The export layer maps `kind` to a C status code and
/// `message` to `sac_last_error`, so the message must name the argument and the offending value.
public struct SACError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case nullArgument
        case invalidArgument
        case invalidConfig
        case length
        case nonFinite
        case notReady
        case outOfMemory
        case structSize
        /// A policy-only agent (loaded from a policy file) was asked to observe or learn.
        case policyOnly
        /// Corrupt, truncated or mismatched serialized data.
        case format
        /// A file could not be read or written.
        case io
        case bufferTooSmall
        /// A continuous-only function on a discrete agent, or the reverse.
        case wrongAlgorithm
        /// A computation on valid inputs gave NaN or infinity: a loss or new weight of a gradient step
        /// (which was undone), or an action of a policy whose weights or inputs are too large.
        case diverged
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
