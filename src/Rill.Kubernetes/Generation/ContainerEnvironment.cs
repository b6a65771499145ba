using System.Text.RegularExpressions;
using k8s.Models;
using Rill.Kubernetes.Expressions;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Generation;

/// <summary>
/// A container's environment and arguments, split by where each value may live: plain values in the resource's
/// ConfigMap (loaded with <c>envFrom</c>); a value that is one secret straight from its Secret (<c>secretKeyRef</c>); a
/// value that mixes text and secrets (a Redis connection string with its password) in <c>env</c>, built by Kubernetes'
/// <c>$(NAME)</c> expansion from variables that hold the secrets. So no secret is ever written into a ConfigMap.
/// </summary>
public sealed partial class ContainerEnvironment
{
    /// <summary>The key of the one entry in each generated Secret.</summary>
    public const string SecretKey = "value";

    private ContainerEnvironment(Dictionary<string, string> configMapData, List<V1EnvVar> env, List<string>? command, List<string>? args)
    {
        ConfigMapData = configMapData;
        Env = env;
        Command = command;
        Args = args;
    }

    /// <summary>Plain environment variables, in the manifest's order (empty: no ConfigMap).</summary>
    public Dictionary<string, string> ConfigMapData { get; }

    public List<V1EnvVar> Env { get; }

    public List<string>? Command { get; }

    public List<string>? Args { get; }

    public static ContainerEnvironment For(ManifestResource resource, RillRole role, ExpressionResolver resolver)
    {
        var where = $"resource '{resource.Name}'";
        var env = resource.Env
            .Where(entry => role == RillRole.None || !RillProcessSettings.Variables.Contains(entry.Key))
            .Select(entry => (entry.Key, Value: resolver.Resolve(entry.Value, $"{where}, env {entry.Key}")))
            .ToList();
        var args = resource.Args.Select((arg, i) => resolver.Resolve(arg, $"{where}, argument {i + 1}")).ToList();
        var entrypoint = resource.Entrypoint is { } command ? resolver.Resolve(command, $"{where}, entrypoint") : null;

        // Secrets that appear inside a larger value need a variable of their own for $(NAME) to expand.
        var embedded = env.Where(entry => entry.Value.HasSecrets && !IsSingleSecret(entry.Value)).Select(entry => entry.Value)
            .Concat(args)
            .Concat(entrypoint is null ? [] : [entrypoint])
            .SelectMany(value => value.Secrets)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var configMap = new Dictionary<string, string>(StringComparer.Ordinal);
        var variables = embedded.Select(secret => SecretVariable(KubernetesNames.SecretVariable(secret), secret)).ToList();
        if (role != RillRole.None)
        {
            variables.AddRange(RillProcessSettings.Environment());
        }

        foreach (var (name, value) in env)
        {
            if (IsSingleSecret(value))
            {
                variables.Add(SecretVariable(name, value.Secrets.Single()));
            }
            else if (value.HasSecrets || !ConfigMapKey().IsMatch(name))
            {
                variables.Add(new V1EnvVar { Name = name, Value = value.ToKubernetesExpansion(KubernetesNames.SecretVariable) });
            }
            else
            {
                configMap[name] = value.Text;
            }
        }

        if (variables.GroupBy(variable => variable.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } duplicate)
        {
            throw new ManifestException($"{where}: the environment variable {duplicate.Key} would be set twice in Kubernetes (the manifest uses a name the generator needs).");
        }

        var expandedArgs = args.Select(arg => arg.ToKubernetesExpansion(KubernetesNames.SecretVariable)).ToList();
        return new ContainerEnvironment(
            configMap,
            variables,
            entrypoint is null ? null : [entrypoint.ToKubernetesExpansion(KubernetesNames.SecretVariable)],
            expandedArgs.Count == 0 ? null : role == RillRole.None ? expandedArgs : RillProcessSettings.Arguments(expandedArgs));
    }

    private static bool IsSingleSecret(ResolvedValue value) => value.Parts is [SecretPart];

    private static V1EnvVar SecretVariable(string name, string parameter) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = KubernetesNames.Object(parameter), Key = SecretKey } },
    };

    /// <summary>What a ConfigMap accepts as a key; other names (e.g. with ':') are set directly in <c>env</c>.</summary>
    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKey();
}
