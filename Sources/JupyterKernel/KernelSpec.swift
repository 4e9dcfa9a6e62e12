import Foundation

/// The kernelspec Jupyter finds this kernel by: `<data dir>/kernels/<name>/kernel.json`.
public struct KernelSpec: Equatable, Sendable {
    /// The default kernel name, which the notebooks `d2l-run` writes refer to.
    public static let defaultName = "d2l-swift"

    /// Where to install, as ipykernel's `install` flags choose.
    public enum Location: Equatable, Sendable {
        /// `--user`: the user's Jupyter data directory.
        case user
        /// `--prefix PATH`: `PATH/share/jupyter`.
        case prefix(String)
        /// `--sys-prefix`: the active Python environment (`VIRTUAL_ENV`, else `CONDA_PREFIX`).
        case sysPrefix
        /// No flag: the system-wide directory, `/usr/local/share/jupyter`.
        case system
    }

    /// The kernel's name: the folder under `kernels/`.
    public var name: String
    /// The absolute path of the program Jupyter starts (`d2l-run`).
    public var executable: String

    /// - Throws: `KernelSpecError` for a name Jupyter would not accept.
    public init(name: String = KernelSpec.defaultName, executable: String) throws {
        // jupyter_client's rule for kernel names.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.allSatisfy(allowed.contains) else {
            throw KernelSpecError("kernel name \"\(name)\" may only hold letters, digits, '.', '_' and '-'")
        }
        guard executable.hasPrefix("/") else {
            throw KernelSpecError("the kernel's program must be an absolute path, not \(executable)")
        }
        self.name = name
        self.executable = executable
    }

    /// kernel.json. Interrupts come as `interrupt_request` messages: a signal would go to the
    /// kernel's whole process group, the cell's processes included, while a message lets the
    /// kernel stop exactly the running cell and keep the state it rolls back to.
    public var json: JSONValue {
        [
            "argv": [.string(executable), "kernel", "{connection_file}"],
            "display_name": "Swift (d2l-swift)",
            "language": "swift",
            "interrupt_mode": "message",
            "metadata": ["debugger": false],
        ]
    }

    /// The folder the spec goes in for `location`, read from `environment` as jupyter_core
    /// reads it (`JUPYTER_DATA_DIR`, `XDG_DATA_HOME`, `HOME`).
    public func directory(for location: Location, environment: [String: String]) throws -> URL {
        let dataDirectory: URL
        switch location {
        case .user:
            if let explicit = environment["JUPYTER_DATA_DIR"], !explicit.isEmpty {
                dataDirectory = URL(fileURLWithPath: explicit)
            } else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
                dataDirectory = URL(fileURLWithPath: xdg).appendingPathComponent("jupyter")
            } else if let home = environment["HOME"], !home.isEmpty {
                dataDirectory = URL(fileURLWithPath: home).appendingPathComponent(".local/share/jupyter")
            } else {
                throw KernelSpecError("--user needs HOME (or JUPYTER_DATA_DIR) to find the Jupyter data directory")
            }
        case .prefix(let prefix):
            dataDirectory = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter")
        case .sysPrefix:
            guard let prefix = [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
                throw KernelSpecError("--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX); use --prefix PATH or --user")
            }
            dataDirectory = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter")
        case .system:
            dataDirectory = URL(fileURLWithPath: "/usr/local/share/jupyter")
        }
        return dataDirectory.appendingPathComponent("kernels").appendingPathComponent(name)
    }

    /// Writes kernel.json into `directory(for:environment:)`, replacing an older one; returns
    /// the folder.
    @discardableResult
    public func install(at location: Location, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let folder = try directory(for: location, environment: environment)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var text = String(decoding: json.encoded(), as: UTF8.self)
            text += "\n"
            try text.write(to: folder.appendingPathComponent("kernel.json"), atomically: true, encoding: .utf8)
        } catch {
            throw KernelSpecError("cannot write \(folder.path)/kernel.json: \(error.localizedDescription)")
        }
        return folder
    }
}

/// A kernelspec that cannot be installed, and why.
public struct KernelSpecError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
