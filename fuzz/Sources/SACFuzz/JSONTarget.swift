import CSac

/// The policy and checkpoint targets: the bytes as JSON text for sac_from_json. An agent that loads is
/// acted with, saved and reloaded (the text must come back identical), and, from a checkpoint,
/// trained for a few transitions and gradient steps (sac_update, then sac_update_from_batch) and
/// saved again. The two targets differ only by their seed corpus (fuzz/seeds/policy,
/// fuzz/seeds/checkpoint: every algorithm).
func fuzzJSON(_ bytes: UnsafeRawBufferPointer) {
    if let shape = AgentShape(json: bytes), !shape.isAffordable {
        if verbose { printError("sac-fuzz: skipped: \(shape)") }
        return
    }
    var agent: OpaquePointer?
    let status = withCChars(bytes) { sac_from_json($0, bytes.count, &agent) }
    note("sac_from_json", status)
    expect(status, [SAC_OK, SAC_ERR_FORMAT, SAC_ERR_OUT_OF_MEMORY], "sac_from_json")
    guard status == SAC_OK.rawValue, let agent else { return }
    defer { sac_agent_destroy(agent) }

    // A checkpoint's agent is trainable (its empty replay is not ready); a policy file's is not.
    let probe = sac_update(agent, 1, nil)
    expect(probe, [SAC_ERR_NOT_READY, SAC_ERR_POLICY_ONLY], "sac_update on a freshly loaded agent")
    let trainable = probe == SAC_ERR_NOT_READY.rawValue
    // Inputs of odd length run on 2 threads: the helper thread's hand-overs under the sanitizer too.
    if bytes.count % 2 == 1 { expect(sac_agent_set_threads(agent, 2), [SAC_OK], "sac_agent_set_threads") }
    let exercise = Exercise(agent, trainable: trainable)
    exercise.checkJSONRoundTrip(trainable ? SAC_JSON_CHECKPOINT : SAC_JSON_POLICY)
    exercise.act()
    guard trainable else {
        exercise.observe(1)  // SAC_ERR_POLICY_ONLY
        return
    }
    exercise.train(steps: 2)
    exercise.trainOnBatch()
    exercise.act()
    _ = exercise.json(SAC_JSON_CHECKPOINT)
}

/// `bytes` as a C string pointer for the library (never NULL, even for no bytes).
func withCChars<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>) -> R) -> R {
    guard let base = bytes.baseAddress else {
        var empty: CChar = 0
        return body(&empty)
    }
    return body(base.assumingMemoryBound(to: CChar.self))
}
