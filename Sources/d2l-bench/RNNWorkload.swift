/// The matrix-product work of training and validating the chapter's RNN language model, counted
/// as d2l's dense implementation does it (one-hot inputs multiplied as matrices).
public struct RNNWorkload {
    public let vocabSize: Int
    public let numHiddens: Int
    public let numSteps: Int
    public let trainTokens: Int
    public let validationTokens: Int

    public init(vocabSize: Int, numHiddens: Int, numSteps: Int, trainTokens: Int, validationTokens: Int) {
        self.vocabSize = vocabSize
        self.numHiddens = numHiddens
        self.numSteps = numSteps
        self.trainTokens = trainTokens
        self.validationTokens = validationTokens
    }

    /// FLOPs of one epoch. Per token: the input product 2VH, the recurrent product 2HH on all
    /// but the first step, the output product 2HV; training adds the weight gradient of the
    /// input product and both gradients of the other two.
    public var flopsPerEpoch: Double {
        let (v, h) = (Double(vocabSize), Double(numHiddens))
        let recurrentShare = Double(numSteps - 1) / Double(numSteps)
        let forward = 2 * v * h + 2 * h * h * recurrentShare + 2 * h * v
        let training = forward + 2 * v * h + 4 * h * h * recurrentShare + 4 * h * v
        return training * Double(trainTokens) + forward * Double(validationTokens)
    }

    /// The share of ``flopsPerEpoch`` spent multiplying one-hot inputs, which a row lookup skips.
    public var oneHotFlopsPerEpoch: Double {
        let vh = Double(vocabSize * numHiddens)
        return 4 * vh * Double(trainTokens) + 2 * vh * Double(validationTokens)
    }
}
