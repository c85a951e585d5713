/// A reinforcement-learning environment in the Gymnasium style, for tests, demos and benchmarks.
public protocol Environment {
    var observationSize: Int { get }
    var actionSize: Int { get }
    var actionLow: [Float] { get }
    var actionHigh: [Float] { get }
    /// Starts an episode and writes the first observation.
    mutating func reset(random: inout RandomSource, observation: UnsafeMutablePointer<Float>)
    /// Applies `action`, writes the next observation and returns the reward and episode flags.
    mutating func step(_ action: UnsafePointer<Float>, observation: UnsafeMutablePointer<Float>)
        -> (reward: Float, terminated: Bool, truncated: Bool)
}
