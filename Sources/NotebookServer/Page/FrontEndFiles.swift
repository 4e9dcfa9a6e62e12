import Foundation
import Notebook

/// The live page's own files: ES modules and a style sheet in `Sources/NotebookServer/Resources/live`,
/// copied by SwiftPM into the server's resource bundle (beside the built `d2l-run`, found
/// however it is started), plus the one module the server writes itself.
enum FrontEndFiles {
    /// The folder of the bundle's copy, served as ``LiveAssetManifest/frontEnd``.
    static var directory: URL {
        guard let url = Bundle.module.url(forResource: LiveAssetManifest.frontEnd.name, withExtension: nil) else {
            fatalError("the front end's folder '\(LiveAssetManifest.frontEnd.name)' is missing from \(Bundle.module.bundlePath)")
        }
        return url
    }

    /// `katex-options.mjs`: KaTeX's options as the static page inlines them, written once in
    /// ``KaTeXAssets/renderOptions`` (a JavaScript object literal).
    static let katexOptionsModule = """
    // Written by d2l-run serve from KaTeXAssets.renderOptions (Sources/Notebook/Weave/KaTeXAssets.swift):
    // the options the static page inlines, so that both pages typeset the same maths.
    export const katexRenderOptions = \(KaTeXAssets.renderOptions);

    """
}
