import Foundation
import XCTest

/// The core's folders are layered as docs/architecture.md says: each uses only the folders before it
/// in `layers`, and Parallel uses none. Read from the sources: a type declared in one folder and
/// named in another's code (comments aside) is a use.
final class ArchitectureTests: XCTestCase {
    static let layers = ["Math", "Parallel", "Config", "Optim", "Networks", "Replay", "Policy", "Parts",
                         "Algorithms", "Environments", "Agent", "Serialization"]

    func testEachFolderUsesOnlyTheFoldersBeforeIt() throws {
        let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/SACCore").standardized
        var code: [String: String] = [:]  // folder -> its sources without comments
        for folder in Self.layers {
            let directory = core.appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, folder)
            code[folder] = try files.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
                .joined(separator: "\n")
                .replacingOccurrences(of: #"//[^\n]*"#, with: "", options: .regularExpression)
        }
        let unlisted = try FileManager.default.contentsOfDirectory(atPath: core.path)
            .filter { !$0.hasSuffix(".swift") && !Self.layers.contains($0) }
        XCTAssertEqual(unlisted, [], "folders the layering does not place")

        let declaration = try NSRegularExpression(pattern: #"\b(?:class|struct|enum|protocol|typealias)\s+([A-Z]\w*)"#)
        var home: [String: String] = [:]  // type -> folder
        for (folder, text) in code {
            for match in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                home[String(text[Range(match.range(at: 1), in: text)!])] = folder
            }
        }
        XCTAssertEqual(home["SACAgent"], "Agent")
        XCTAssertEqual(home["SplitRunner"], "Parallel")
        for (index, folder) in Self.layers.enumerated() {
            let allowed = folder == "Parallel" ? [] : Self.layers[..<index]
            for (type, owner) in home where owner != folder && !allowed.contains(owner) {
                let uses = code[folder]!.range(of: #"\b\#(type)\b"#, options: .regularExpression) != nil
                XCTAssertFalse(uses, "\(folder) uses \(type) of \(owner), which it may not")
            }
        }
    }
}
