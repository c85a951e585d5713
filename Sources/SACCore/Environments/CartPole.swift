#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The cart-pole balancing task with Gymnasium CartPole-v1's dynamics (Euler integration, 0.02 s
/// steps), observation [x, ẋ, θ, θ̇], reward 1 per step, termination when |x| > 2.4 or
/// |θ| > 12°, and the 500-step time limit. Start: every state variable uniform in ±0.05.
/// Discrete: `action[0]` is the action index, 0 (push left) or 1 (push right).
public struct CartPole: Environment {
    public static let gravity: Float = 9.8
    public static let cartMass: Float = 1.0
    public static let poleMass: Float = 0.1
    public static let halfPoleLength: Float = 0.5
    public static let forceMagnitude: Float = 10
    public static let dt: Float = 0.02
    public static let angleLimit: Float = 12 * 2 * .pi / 360
    public static let positionLimit: Float = 2.4
    public static let timeLimit = 500
    public static let actionCount = 2

    public private(set) var state: (x: Float, xDot: Float, theta: Float, thetaDot: Float) = (0, 0, 0, 0)
    public private(set) var elapsedSteps = 0

    public init() {}

    public var observationSize: Int { 4 }
    public var actionSize: Int { 1 }
    public var actionLow: [Float] { [0] }
    public var actionHigh: [Float] { [Float(Self.actionCount - 1)] }

    public mutating func reset(random: inout RandomSource, observation: UnsafeMutablePointer<Float>) {
        state = (random.uniform(-0.05, 0.05), random.uniform(-0.05, 0.05),
                 random.uniform(-0.05, 0.05), random.uniform(-0.05, 0.05))
        elapsedSteps = 0
        write(observation)
    }

    /// Sets the state directly (for tests against reference trajectories).
    public mutating func setState(x: Float, xDot: Float, theta: Float, thetaDot: Float) {
        state = (x, xDot, theta, thetaDot)
        elapsedSteps = 0
    }

    public mutating func step(_ action: UnsafePointer<Float>, observation: UnsafeMutablePointer<Float>)
        -> (reward: Float, terminated: Bool, truncated: Bool)
    {
        let totalMass = Self.cartMass + Self.poleMass
        let poleMassLength = Self.poleMass * Self.halfPoleLength
        let force = action[0] >= 0.5 ? Self.forceMagnitude : -Self.forceMagnitude
        let (x, xDot, theta, thetaDot) = state
        let cosTheta = cosf(theta), sinTheta = sinf(theta)
        let temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass
        let thetaAcc = (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.halfPoleLength * (4.0 / 3.0 - Self.poleMass * cosTheta * cosTheta / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass
        state = (x + Self.dt * xDot, xDot + Self.dt * xAcc, theta + Self.dt * thetaDot, thetaDot + Self.dt * thetaAcc)
        elapsedSteps += 1
        write(observation)
        let terminated = abs(state.x) > Self.positionLimit || abs(state.theta) > Self.angleLimit
        return (1, terminated, !terminated && elapsedSteps >= Self.timeLimit)
    }

    private func write(_ observation: UnsafeMutablePointer<Float>) {
        observation[0] = state.x
        observation[1] = state.xDot
        observation[2] = state.theta
        observation[3] = state.thetaDot
    }
}
