import SACCore
// temporary learning probe
let args = CommandLine.arguments
let seed = UInt64(args.count > 1 ? Int(args[1])! : 0)
let hidden = args.count > 2 ? Int(args[2])! : 256
var config = AgentConfig(obsDim: 3, actionDim: 1)
config.actionLow = [-2]; config.actionHigh = [2]
config.hiddenSizes = [hidden, hidden]
config.actorLearningRate = 1e-3; config.criticLearningRate = 1e-3; config.alphaLearningRate = 1e-3
config.seed = seed
let agent = try ContinuousSAC(config: config)
var loop = try TrainingLoop(environment: Pendulum(), agent: agent, environmentSeed: seed &+ 1000)
let t0 = ContinuousClock.now
for k in 1...20 {
  loop.train(steps: 1000)
  let ev = loop.evaluate(episodes: 10, seed: 99)
  print(k * 1000, "eval", ev, "last", loop.episodeReturns.last ?? 0, loop.lastStats, ContinuousClock.now - t0)
  if ev > -200 { break }
}
