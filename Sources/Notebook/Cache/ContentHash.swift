import Foundation

/// A 64-bit FNV-1a hash: stable across runs and machines, cheap enough to hash the built
/// library on every run. It names cache entries; it is not a defence against tampering.
public struct ContentHash: Equatable, Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        value = h
    }

    public mutating func combine(_ data: Data) { data.withUnsafeBytes { combine($0) } }

    public mutating func combine(_ text: String) {
        var copy = text
        copy.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
        combine(Data([0]))  // separator, so "ab"+"c" differs from "a"+"bc"
    }

    /// Hashes a file's contents, or its absence.
    public mutating func combine(fileAt path: String) {
        combine(path)
        if let data = FileManager.default.contents(atPath: path) { combine(data) } else { combine("<missing>") }
    }

    public var hex: String { String(format: "%016llx", value) }
}
