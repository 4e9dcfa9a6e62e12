/// How many threads training may use.
public enum Parallelism {
    /// Threads for data-parallel work; 1 runs everything on the calling thread.
    public static var threads = 1
}
