import XCTest
@testable import D2LSwift

final class TextSequenceDataTests: XCTestCase {
    private func timeMachine(batchSize: Int = 1024) throws -> TimeMachine {
        setenv("D2L_DATA_DIR", projectDataDirectory, 1)
        return try TimeMachine(batchSize: batchSize, numSteps: 32)
    }

    func testPreprocessingAndVocabulary() throws {
        XCTAssertEqual(TextSequenceData.preprocess("The Time-Machine, 1898!"), "the time machine ")
        let data = try timeMachine()
        XCTAssertEqual(data.vocab.count, 28)
        XCTAssertEqual(data.vocab.idxToToken.prefix(3), [" ", "<unk>", "a"])
        XCTAssertEqual(data.corpus.count, 173_428)
        XCTAssertEqual(data.vocab["q"], 18)
    }

    func testWindowsAndBatchShapes() throws {
        let data = try timeMachine()
        let train = data.trainBatches(), validation = data.validationBatches()
        XCTAssertEqual(train.map { $0.inputs.shape[0] }, [1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 784])
        XCTAssertEqual(validation.map { $0.inputs.shape[0] }, [1024, 1024, 1024, 1024, 904])
        XCTAssertEqual(train[0].inputs.shape, [1024, 32])
        // Targets are the inputs shifted by one character.
        let first = validation[0]
        XCTAssertEqual(Array(first.targets.scalars[0..<31]), Array(first.inputs.scalars[1..<32]))
        XCTAssertEqual(first.inputs.scalars[0], Float(data.corpus[10_000]))
        // Every row, including those the second thread copies: window 10,000 + row.
        let (inputs, targets) = (first.inputs.scalars, first.targets.scalars)
        for row in 0..<1024 {
            let window = (10_000 + row)..<(10_000 + row + 33)
            let expected = data.corpus[window].map(Float.init)
            XCTAssertEqual(Array(inputs[(row * 32)..<(row * 32 + 32)]), Array(expected[0..<32]), "row \(row)")
            XCTAssertEqual(Array(targets[(row * 32)..<(row * 32 + 32)]), Array(expected[1..<33]), "row \(row)")
        }
    }

    func testShuffleIsFixedBySeed() throws {
        let data = try timeMachine()
        Random.seed(7)
        let a = data.trainBatches()[0].inputs.scalars
        let b = data.trainBatches()[0].inputs.scalars
        Random.seed(7)
        XCTAssertEqual(data.trainBatches()[0].inputs.scalars, a)
        XCTAssertNotEqual(a, b)
    }

    func testMissingFileNamesWhereItLooked() {
        setenv("D2L_DATA_DIR", "/nonexistent", 1)
        XCTAssertThrowsError(try TextSequenceData(fileName: "nope.txt", batchSize: 1, numSteps: 1)) { error in
            XCTAssertTrue("\(error)".contains("nope.txt"))
            XCTAssertTrue("\(error)".contains("/nonexistent"))
        }
    }

    func testShortTrainingRunLowersLoss() throws {
        setenv("D2L_DATA_DIR", projectDataDirectory, 1)
        Random.seed(0)
        let data = try TimeMachine(batchSize: 256, numSteps: 16, numTrain: 2048, numVal: 512)
        let model = RNNLMScratch(rnn: RNNScratch(numInputs: 28, numHiddens: 32), vocabSize: 28, lr: 1)
        let trainer = Trainer(maxEpochs: 8, gradientClipVal: 1)
        trainer.showsFigure = false
        trainer.reportsProgress = false
        trainer.fit(model, data)
        let train = try XCTUnwrap(model.board.history["train_ppl"])
        XCTAssertEqual(train.count, 8)
        XCTAssertLessThan(train.last!, train.first! * 0.8)
        XCTAssertLessThan(train.last!, 20)
    }
}

/// `Data/` of this checkout, found from this file's path.
let projectDataDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Data").path
