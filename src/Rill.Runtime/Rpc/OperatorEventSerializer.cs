using System.Text.Json;
using System.Text.Json.Nodes;
using Rill.Sources;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Operator events between coordinators and subtasks as bytes. Splits are source-specific records; they travel as
/// JSON with their type name, which the receiver resolves with the job's own type resolver (in a session cluster,
/// the application's load context).
/// </summary>
internal static class OperatorEventSerializer
{
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = false };

    public static byte[] Serialize(OperatorEvent operatorEvent)
    {
        var envelope = operatorEvent switch
        {
            ReaderRegistrationEvent => new JsonObject { ["kind"] = "reader-registration" },
            RequestSplitEvent => new JsonObject { ["kind"] = "request-split" },
            NoMoreSplitsEvent => new JsonObject { ["kind"] = "no-more-splits" },
            AddSplitsEvent add => new JsonObject
            {
                ["kind"] = "add-splits",
                ["splits"] = new JsonArray(add.Splits.Select(split => (JsonNode)new JsonObject
                {
                    ["type"] = split.GetType().AssemblyQualifiedName,
                    ["value"] = JsonSerializer.SerializeToNode(split, split.GetType(), Json),
                }).ToArray()),
            },
            _ => throw new NotSupportedException($"Operator event {operatorEvent.GetType().Name} cannot cross processes."),
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    public static OperatorEvent Deserialize(byte[] payload, Func<string, Type?> resolveType)
    {
        var envelope = JsonNode.Parse(payload)?.AsObject() ?? throw new InvalidDataException("Empty operator event.");
        return envelope["kind"]?.GetValue<string>() switch
        {
            "reader-registration" => new ReaderRegistrationEvent(),
            "request-split" => new RequestSplitEvent(),
            "no-more-splits" => new NoMoreSplitsEvent(),
            "add-splits" => new AddSplitsEvent(envelope["splits"]!.AsArray().Select(node =>
            {
                var typeName = node!["type"]!.GetValue<string>();
                var type = resolveType(typeName) ?? throw new InvalidDataException($"Split type {typeName} is unknown in this process.");
                return (ISourceSplit)(node["value"].Deserialize(type, Json) ?? throw new InvalidDataException($"Empty split of type {typeName}."));
            }).ToList()),
            var kind => throw new InvalidDataException($"Unknown operator event kind '{kind}'."),
        };
    }
}
