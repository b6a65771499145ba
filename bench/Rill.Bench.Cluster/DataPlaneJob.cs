using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Serialization;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Bench.Cluster;

/// <summary>
/// The raw data-plane job: byte-array records from one source subtask to one consumer subtask on the other TaskManager.
/// Slot sharing puts subtask i of every vertex into slot i, so a parallelism-1 source and sink would share slot 0
/// (one process). Instead the source runs at parallelism 2 and only its subtask 1 (slot 1) produces; a global
/// exchange sends everything to the consumer's only subtask (slot 0). With one slot per TaskManager every byte crosses
/// the TCP data plane. Embedded, the same job measures the in-memory exchange.
/// </summary>
internal static class DataPlaneJob
{
    public const string BytesCounter = "received-bytes";
    public const string RecordsCounter = "received-records";

    public static void Build(StreamExecutionEnvironment env, long records, int recordBytes)
    {
        env.SetParallelism(2);
        env.FromSource(new SingleProducerSource(records, recordBytes), WatermarkStrategy<byte[]>.NoWatermarks(), "Bytes Source")
            .Global()
            .Process(new ByteCounter()).Name("Count Bytes").SetParallelism(1)
            .SinkTo(new DiscardingSink<byte[]>(), "Discard").SetParallelism(1);
    }

    /// <summary>
    /// Length-prefixed bytes. Deserialization copies into one array per thread that is reused for the next record,
    /// so the receiving side costs one copy and no allocation: the run measures the exchange, not the GC. Only valid
    /// because the consumer here looks at each record once and keeps none.
    /// </summary>
    public sealed class ReusingByteArraySerializer : TypeSerializer<byte[]>
    {
        [ThreadStatic]
        private static byte[]? _reused;

        public override void Serialize(byte[] value, DataOutputSerializer target)
        {
            target.WriteInt32(value.Length);
            target.WriteBytes(value);
        }

        public override byte[] Deserialize(DataInputView source)
        {
            var length = source.ReadInt32();
            var target = _reused is { } reused && reused.Length == length ? reused : _reused = new byte[length];
            source.Take(length).CopyTo(target);
            return target;
        }
    }

    /// <summary>All records come from source subtask 1 (the last one if the parallelism is 1); the others get no split.</summary>
    private sealed class SingleProducerSource(long records, int recordBytes) : ISource<byte[], IndexRangeSplit>
    {
        public Boundedness Boundedness => Boundedness.Bounded;

        public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context) =>
            new Enumerator(context, new IndexRangeSplit(0, records), Math.Min(1, context.CurrentParallelism - 1));

        public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
            throw new NotSupportedException("The data-plane benchmark runs without checkpoints.");

        public ISourceReader<byte[], IndexRangeSplit> CreateReader(ISourceReaderContext context) => new Reader(context, recordBytes);

        private sealed class Enumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IndexRangeSplit split, int producer) : ISplitEnumerator<IndexRangeSplit>
        {
            private bool _assigned;

            public void Start()
            {
            }

            public void HandleSplitRequest(int subtask)
            {
                if (subtask == producer && !_assigned)
                {
                    _assigned = true;
                    context.AssignSplit(split, subtask);
                }
                else
                {
                    context.SignalNoMoreSplits(subtask);
                }
            }

            public void AddSplitsBack(IReadOnlyList<IndexRangeSplit> splits, int subtask) => _assigned = false;

            public IReadOnlyList<IndexRangeSplit> SnapshotState(long checkpointId) => _assigned ? [] : [split];

            public void AddReader(int subtask)
            {
            }
        }

        private sealed class Reader(ISourceReaderContext context, int recordBytes) : SplitReaderBase<byte[], IndexRangeSplit>(context)
        {
            // One payload for every record: serialization copies it, so the source allocates nothing per record.
            private readonly byte[] _payload = Enumerable.Range(0, recordBytes).Select(i => (byte)i).ToArray();
            private long _next;

            protected override void OpenSplit(IndexRangeSplit split)
            {
                _next = split.Start;
                Probe.MarkSource();
            }

            protected override IndexRangeSplit CurrentSplitWithProgress() => CurrentSplit! with { Start = _next };

            protected override SplitStatus ReadFromSplit(IReaderOutput<byte[]> output, int maxRecords)
            {
                var end = Math.Min(CurrentSplit!.End, _next + maxRecords);
                for (; _next < end; _next++)
                {
                    output.Collect(_payload);
                }

                return _next >= CurrentSplit.End ? SplitStatus.Finished : SplitStatus.MoreAvailable;
            }
        }
    }

    private sealed class ByteCounter : ProcessFunction<byte[], byte[]>
    {
        private Accumulators.LongCounter _bytes = null!;
        private Accumulators.LongCounter _records = null!;
        private long _localBytes;
        private long _localRecords;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _bytes = context.GetLongCounter(BytesCounter);
            _records = context.GetLongCounter(RecordsCounter);
        }

        public override void ProcessElement(byte[] value, Context context, ICollector<byte[]> output)
        {
            _localBytes += value.Length;
            _localRecords++;
        }

        public override void Close()
        {
            // Called once after the last record: the end of the transfer.
            Probe.MarkSink();
            _bytes.Add(_localBytes);
            _records.Add(_localRecords);
            base.Close();
        }
    }
}
