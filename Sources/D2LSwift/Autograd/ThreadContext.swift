import Foundation

/// State of the autograd engine that belongs to one thread: whether operations record a graph,
/// and where a backward pass and `plot` calls deliver their results while the trainer runs
/// two halves of a batch at once (``DataParallelStep``).
///
/// Kept per thread so that one half can be differentiating (graph recording off) while the
/// other is still building its graph.
final class ThreadContext {
    /// Whether operations record how to differentiate themselves (``GradientMode``).
    var recordsGradients = true
    /// Where leaf gradients go instead of their tensors' `grad`, when set.
    var gradientSink: GradientSink?
    /// Where plotted metrics go instead of the model's board, when set.
    var metricLog: MetricLog?

    /// The calling thread's context, made on first use and released with the thread.
    static var current: ThreadContext {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadContext>.fromOpaque(pointer).takeUnretainedValue()
        }
        let context = ThreadContext()
        pthread_setspecific(key, Unmanaged.passRetained(context).toOpaque())
        return context
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadContext>.fromOpaque(pointer).release() }
        }
        return key
    }()
}
