#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The classic pendulum swing-up with Gymnasium Pendulum-v1's dynamics, reward, observation
/// [cos θ, sin θ, θ̇], torque bounds [-2, 2] and 200-step time limit. Start: θ ~ U(−π, π),
/// θ̇ ~ U(−1, 1). Reward −(θ² + 0.1·θ̇² + 0.001·u²) with θ normalised to [−π, π); never terminates.
public struct Pendulum: Environment {
    public static let maxSpeed: Float = 8
    public static let maxTorque: Float = 2
    public static let dt: Float = 0.05
    public static let gravity: Float = 10
    public static let mass: Float = 1
    public static let length: Float = 1
    public static let timeLimit = 200

    public private(set) var angle: Float = 0
    public private(set) var angularVelocity: Float = 0
    public private(set) var elapsedSteps = 0

    public init() {}

    public var observationSize: Int { 3 }
    public var actionSize: Int { 1 }
    public var actionLow: [Float] { [-Self.maxTorque] }
    public var actionHigh: [Float] { [Self.maxTorque] }

    public mutating func reset(random: inout RandomSource, observation: UnsafeMutablePointer<Float>) {
        angle = random.uniform(-.pi, .pi)
        angularVelocity = random.uniform(-1, 1)
        elapsedSteps = 0
        write(observation)
    }

    /// Sets the state directly (for tests that compare against reference trajectories).
    public mutating func setState(angle: Float, angularVelocity: Float) {
        self.angle = angle
        self.angularVelocity = angularVelocity
        elapsedSteps = 0
    }

    public mutating func step(_ action: UnsafePointer<Float>, observation: UnsafeMutablePointer<Float>)
        -> (reward: Float, terminated: Bool, truncated: Bool)
    {
        let (g, m, l, dt) = (Self.gravity, Self.mass, Self.length, Self.dt)
        let u = min(max(action[0], -Self.maxTorque), Self.maxTorque)
        let theta = Self.normalize(angle)
        let cost = theta * theta + 0.1 * angularVelocity * angularVelocity + 0.001 * u * u
        var newVelocity = angularVelocity + (3 * g / (2 * l) * sinf(angle) + 3 / (m * l * l) * u) * dt
        newVelocity = min(max(newVelocity, -Self.maxSpeed), Self.maxSpeed)
        angle += newVelocity * dt
        angularVelocity = newVelocity
        elapsedSteps += 1
        write(observation)
        return (-cost, false, elapsedSteps >= Self.timeLimit)
    }

    /// Angle wrapped to [−π, π), as Gymnasium's angle_normalize: ((x + π) mod 2π) − π.
    public static func normalize(_ x: Float) -> Float {
        let twoPi = 2 * Float.pi
        let shifted = x + .pi
        return shifted - twoPi * (shifted / twoPi).rounded(.down) - .pi
    }

    private func write(_ observation: UnsafeMutablePointer<Float>) {
        observation[0] = cosf(angle)
        observation[1] = sinf(angle)
        observation[2] = angularVelocity
    }
}
