/// A multilayer perceptron: dense layers with ReLU between them and a linear output layer.
///
/// Parameters live in one flat buffer (each layer's weight `[inputs × outputs]` row-major, then its
/// bias), and so do their gradients, so that Adam and Polyak averaging are single loops. Every
/// workspace is sized for `maxBatch` rows at construction; forward and backward allocate nothing.
/// The network knows nothing about reinforcement learning.
public final class MLP {
    public let sizes: [Int]
    public let maxBatch: Int
    /// The weights, in versions that a failed gradient step can roll back (see `VersionedBuffer`).
    public let parameterVersions: VersionedBuffer
    public let gradients: FloatBuffer
    let layers: [DenseLayer]
    /// activations[l] is the input of layer l ([maxBatch × sizes[l]]); the last one is the output.
    let activations: [FloatBuffer]
    /// Two ping-pong buffers for the backward pass, each [maxBatch × widest layer].
    let deltaA: FloatBuffer
    let deltaB: FloatBuffer
    /// The products' scratch memory.
    let workspace: GEMM.Workspace
    /// When set (and running several threads), products of at least `splitThreshold` FLOPs are cut
    /// between the runner's threads, unless the network runs inside one of the runner's tasks (one
    /// network of a pair on two threads), where the other threads are busy.
    public weak var runner: NetworkRunner?
    /// Products of at least this many FLOPs are split when there is a runner (`Compute.splitThreshold`).
    let splitThreshold: Int
    private var lastBatch = 0
    /// False when the last `blend` wrote a NaN or an infinity.
    public private(set) var lastBlendWasFinite = true

    /// `sizes` = [inputs, hidden..., outputs]. Parameters start at zero; call `initialize`.
    /// `versioned` false: one copy of the weights, for a network that is never trained.
    public init(sizes: [Int], maxBatch: Int, versioned: Bool = true, compute: Compute = Compute()) throws(SACError) {
        guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }), maxBatch > 0 else {
            throw SACError(.invalidArgument, "MLP sizes \(sizes) and batch \(maxBatch) must be positive")
        }
        self.sizes = sizes
        self.maxBatch = maxBatch
        var offset = 0
        var layers: [DenseLayer] = []
        for l in 0..<(sizes.count - 1) {
            let layer = DenseLayer(inputs: sizes[l], outputs: sizes[l + 1], weightOffset: offset)
            layers.append(layer)
            offset = layer.biasOffset + layer.outputs
        }
        self.layers = layers
        parameterVersions = try VersionedBuffer(count: offset, versioned: versioned)
        gradients = try FloatBuffer(count: offset)
        var activations: [FloatBuffer] = []
        for width in sizes { activations.append(try FloatBuffer(count: maxBatch * width)) }
        self.activations = activations
        let widest = sizes.max()!
        deltaA = try FloatBuffer(count: maxBatch * widest)
        deltaB = try FloatBuffer(count: maxBatch * widest)
        workspace = try GEMM.Workspace(maxTransposed: layers.map { $0.inputs * $0.outputs }.max()!,
                                       kernel: compute.kernel, flopCounter: compute.flopCounter)
        splitThreshold = compute.splitThreshold
    }

    public var inputSize: Int { sizes[0] }
    public var outputSize: Int { sizes[sizes.count - 1] }
    public var parameterCount: Int { parameterVersions.count }
    /// The weights in use.
    public var parameters: FloatBuffer { parameterVersions.current }

    /// PyTorch's default for nn.Linear: weights and biases uniform in ±1/sqrt(fan_in).
    public func initialize(_ random: inout RandomSource) {
        for layer in layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            let p = parameters.base
            for i in layer.weightOffset..<(layer.biasOffset + layer.outputs) {
                p[i] = random.uniform(-bound, bound)
            }
        }
    }

    /// Where the caller writes the network input ([batch × inputSize]) before `forward`,
    /// avoiding a copy when the input is assembled from parts (e.g. [state, action]).
    public var input: UnsafeMutablePointer<Float> { activations[0].base }

    /// The output of the last forward pass, [batch × outputSize].
    public var output: UnsafeMutablePointer<Float> { activations[layers.count].base }

    /// Runs the network on the `batch` rows written to `input`; returns the output [batch × outputSize],
    /// valid until the next forward pass.
    @discardableResult
    public func forward(batch: Int) -> UnsafeMutablePointer<Float> {
        lastBatch = batch
        let p = parameters.base
        for (l, layer) in layers.enumerated() {
            let x = activations[l].base
            let y = activations[l + 1].base
            run(GEMM.Product(m: batch, n: layer.outputs, k: layer.inputs,
                             a: .rowMajor(x, columns: layer.inputs), b: .rowMajor(p + layer.weightOffset, columns: layer.outputs),
                             into: y, epilogue: GEMM.Epilogue(bias: p + layer.biasOffset, relu: l + 1 < layers.count)))
        }
        return activations[layers.count].base
    }

    /// Copies `batch` rows of input and runs `forward`.
    @discardableResult
    public func forward(_ x: UnsafePointer<Float>, batch: Int) -> UnsafeMutablePointer<Float> {
        input.update(from: x, count: batch * inputSize)
        return forward(batch: batch)
    }

    /// Back-propagates `outputGradient` (dL/d output, [batch × outputSize]) through the last forward
    /// pass. With `parameterGradients`, overwrites `gradients` with dL/dθ; with `inputGradient`,
    /// writes dL/d input ([batch × inputSize]) there.
    public func backward(
        _ outputGradient: UnsafePointer<Float>, parameterGradients: Bool,
        inputGradient: UnsafeMutablePointer<Float>? = nil
    ) {
        let batch = lastBatch
        let p = parameters.base
        let g = gradients.base
        var delta = UnsafePointer(outputGradient)
        var spare = deltaA.base
        var other = deltaB.base
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            if parameterGradients {
                // dL/dW = Xᵀ·δ
                run(GEMM.Product(m: layer.inputs, n: layer.outputs, k: batch,
                                 a: .transposed(activations[l].base, columns: layer.inputs),
                                 b: .rowMajor(delta, columns: layer.outputs), into: g + layer.weightOffset))
                Rows.sumColumns(delta, rows: batch, columns: layer.outputs, into: g + layer.biasOffset)
            }
            let target: UnsafeMutablePointer<Float>
            if l > 0 {
                target = spare
            } else if let inputGradient {
                target = inputGradient
            } else {
                break
            }
            // dL/dX = δ·Wᵀ, and through the ReLU below: it passes only where the layer's input (a ReLU
            // output) was positive.
            run(GEMM.Product(m: batch, n: layer.inputs, k: layer.outputs,
                             a: .rowMajor(delta, columns: layer.outputs),
                             b: .transposed(p + layer.weightOffset, columns: layer.outputs), into: target,
                             epilogue: GEMM.Epilogue(mask: l > 0 ? UnsafePointer(activations[l].base) : nil)))
            if l > 0 {
                delta = UnsafePointer(target)
                swap(&spare, &other)
            }
        }
    }

    func run(_ product: GEMM.Product) {
        if let runner, runner.canHandOver, product.flops >= splitThreshold {
            runner.run(.product(product, workspace))
        } else {
            GEMM.run(product, workspace: workspace)
        }
    }

    /// Polyak averaging toward `source`: θ ← τ·θ_source + (1 − τ)·θ, as a new version of the weights.
    /// Sets `lastBlendWasFinite`.
    public func blend(toward source: MLP, tau: Float) {
        // τ = 1 is a hard copy, which θ + 1·(s − θ) can miss by a rounding: blend s toward itself
        // instead, which gives s exactly and still checks that it is finite.
        let start = tau == 1 ? source.parameters.base : parameters.base
        lastBlendWasFinite = Rows.blend(start, toward: source.parameters.base, tau: tau == 1 ? 0 : tau,
                                        into: parameterVersions.next.base, count: parameterCount)
        parameterVersions.advance()
    }
}

/// One dense layer's place in its network's flat parameter buffer.
struct DenseLayer {
    let inputs: Int
    let outputs: Int
    let weightOffset: Int
    var biasOffset: Int { weightOffset + inputs * outputs }
}
