using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rill.Metrics;

namespace Rill.Tests.Metrics;

/// <summary>
/// Listens to the <c>Rill</c> meter as any exporter would (a <see cref="MeterListener"/>) and keeps every measurement
/// with its tags. Tests run in parallel, so they look only at their own job's measurements (<see cref="OfJob"/>).
/// </summary>
internal sealed class RillMeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public RillMeterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RillTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Asks the observable instruments (gauges) for their values now, as an exporter's collection does.</summary>
    public void Collect() => _listener.RecordObservableInstruments();

    public IReadOnlyList<RecordedMeasurement> OfJob(Guid jobId)
    {
        var id = jobId.ToString("N");
        return _measurements.Where(m => m.Tag(MetricTags.JobId) as string == id).ToList();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, tags.ToArray()));

    public void Dispose() => _listener.Dispose();
}

internal sealed record RecordedMeasurement(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
{
    public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;
}
