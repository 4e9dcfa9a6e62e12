/// Keys that say what a cell's result was made from, for the live session's stale marks and
/// for exercise results kept across runs.
///
/// Unlike ``RunCache``'s keys, a main cell's key covers only the main cells up to it (never
/// exercises or listings, which change no state), and an exercise's key covers the main cells
/// it ran after and its own source: editing one exercise leaves the others current.
public enum CellKeys {
    /// The key of each runnable cell of `chapter`, by id.
    public static func keys(for chapter: Chapter, environment: String) -> [String: String] {
        var (keys, mainKey) = mainKeys(for: chapter, environment: environment)
        for cell in chapter.cells where cell.tags.exercise && !cell.tags.noRun {
            keys[cell.id] = exerciseKey(mainKey: mainKey, id: cell.id, source: cell.source)
        }
        return keys
    }

    /// The key of all of `chapter`'s main cells: what an exercise runs after.
    public static func mainKey(for chapter: Chapter, environment: String) -> String {
        mainKeys(for: chapter, environment: environment).all
    }

    /// Each main cell's cumulative key, and the key of them all.
    private static func mainKeys(for chapter: Chapter, environment: String) -> (byID: [String: String], all: String) {
        var keys: [String: String] = [:]
        var main = ContentHash()
        main.combine(environment)
        for cell in chapter.cells where !cell.tags.noRun && !cell.tags.exercise {
            main.combine(cell.id)
            main.combine(cell.source)
            main.combine("\(cell.tags)")
            keys[cell.id] = main.hex
        }
        return (keys, main.hex)
    }

    /// The key of exercise `id` with `source`, run after main cells whose key is `mainKey`.
    public static func exerciseKey(mainKey: String, id: String, source: String) -> String {
        var hash = ContentHash()
        hash.combine(mainKey)
        hash.combine(id)
        hash.combine(source)
        return hash.hex
    }
}
