using System.CommandLine;
using Rill.Cli.Options;
using Rill.Kubernetes;
using Rill.Kubernetes.Manifest;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill k8s generate --manifest aspire-manifest.json --output deploy/kubernetes</c>: writes a kustomize base (see
/// <see cref="KustomizeBaseGenerator"/>) for <c>kubectl apply -k</c>. Nothing is sent to a cluster. Exit codes: 0 written,
/// 2 a wrong command line or an output directory that holds other files, 1 a manifest that cannot be deployed (missing
/// file, unknown resource type, unresolvable expression), each reported as one line.
/// </summary>
internal static class KubernetesGenerateCommand
{
    public static Command Create()
    {
        var defaults = new KubernetesGenerationOptions();
        var manifest = new Option<string>("--manifest")
        {
            Description = "The Aspire manifest to read (written by the AppHost's --publisher manifest).",
            HelpName = "FILE",
            DefaultValueFactory = _ => "aspire-manifest.json",
        };
        var output = new Option<string>("--output")
        {
            Description = "Directory for the base: new, empty, or a base generated before (it is replaced).",
            HelpName = "DIR",
            DefaultValueFactory = _ => "deploy/kubernetes",
        };
        var ns = new Option<string?>("--namespace") { Description = "Namespace for every object (a Namespace object is generated); default kubectl's current one.", HelpName = "NAME" };
        var registry = new Option<string?>("--image-registry") { Description = "Registry and path of the project images, e.g. ghcr.io/acme; default none (local images).", HelpName = "REGISTRY" };
        var tag = new Option<string>("--image-tag") { Description = "Tag of the project images.", HelpName = "TAG", DefaultValueFactory = _ => defaults.ImageTag };
        var partOf = new Option<string>("--part-of") { Description = "The app.kubernetes.io/part-of label and prefix of shared objects.", HelpName = "NAME", DefaultValueFactory = _ => defaults.PartOf };
        var minReplicas = new Option<int>("--min-replicas")
        {
            Description = "Task managers to start with, and the autoscaler's minimum (reactive mode).",
            HelpName = "N",
            CustomParser = OptionValues.Positive,
            DefaultValueFactory = _ => defaults.MinReplicas,
        };
        var maxReplicas = new Option<int>("--max-replicas")
        {
            Description = "The autoscaler's maximum number of task managers (reactive mode).",
            HelpName = "N",
            CustomParser = OptionValues.Positive,
            DefaultValueFactory = _ => defaults.MaxReplicas,
        };
        var cpuTarget = new Option<int>("--cpu-target")
        {
            Description = "Average task manager CPU use the autoscaler aims at, in percent of the request.",
            HelpName = "PERCENT",
            CustomParser = OptionValues.Positive,
            DefaultValueFactory = _ => defaults.CpuUtilizationPercent,
        };
        var storageClass = new Option<string?>("--storage-class") { Description = "Storage class of the ReadWriteMany checkpoint volume; default the cluster's default class.", HelpName = "NAME" };
        var checkpointSize = new Option<string>("--checkpoint-volume-size")
        {
            Description = "Size of the checkpoint volume.",
            HelpName = "QUANTITY",
            DefaultValueFactory = _ => defaults.CheckpointVolumeSize,
        };
        var dataSize = new Option<string>("--data-volume-size")
        {
            Description = "Size of each data volume of Redis, Kafka and other stateful containers.",
            HelpName = "QUANTITY",
            DefaultValueFactory = _ => defaults.DataVolumeSize,
        };
        var gracePeriod = new Option<int>("--taskmanager-grace-period")
        {
            Description = "Seconds a task manager gets after SIGTERM to stop with a savepoint and leave.",
            HelpName = "SECONDS",
            CustomParser = KubernetesOptionValues.NonNegativeSeconds,
            DefaultValueFactory = _ => defaults.TaskManagerTerminationGracePeriodSeconds,
        };
        var parameters = new Option<IReadOnlyDictionary<string, string>>("--parameter")
        {
            Description = "Value of a non-secret parameter that has no default in the manifest (repeatable). Secret values never go into the files.",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = KubernetesOptionValues.Assignments,
        };

        var command = new Command("generate", "Generate a kustomize base (Deployments, StatefulSets, Services, ConfigMaps, Secrets, RBAC, autoscaler, checkpoint volume) from an Aspire manifest.")
        {
            manifest, output, ns, registry, tag, partOf, minReplicas, maxReplicas, cpuTarget, storageClass, checkpointSize, dataSize, gracePeriod, parameters,
        };
        command.SetAction(parse =>
        {
            var options = new KubernetesGenerationOptions
            {
                Namespace = parse.GetValue(ns),
                ImageRegistry = parse.GetValue(registry),
                ImageTag = parse.GetRequiredValue(tag),
                PartOf = parse.GetRequiredValue(partOf),
                MinReplicas = parse.GetValue(minReplicas),
                MaxReplicas = parse.GetValue(maxReplicas),
                CpuUtilizationPercent = parse.GetValue(cpuTarget),
                StorageClass = parse.GetValue(storageClass),
                CheckpointVolumeSize = parse.GetRequiredValue(checkpointSize),
                DataVolumeSize = parse.GetRequiredValue(dataSize),
                TaskManagerTerminationGracePeriodSeconds = parse.GetValue(gracePeriod),
                Parameters = parse.GetValue(parameters) ?? new Dictionary<string, string>(),
            };
            if (KubernetesOptionsValidation.Problems(options) is [var problem, ..])
            {
                throw new UsageException(problem);
            }

            var outputDirectory = parse.GetRequiredValue(output);
            KustomizeBase kustomizeBase;
            try
            {
                kustomizeBase = KustomizeBaseGenerator.Generate(AspireManifestReader.Read(parse.GetRequiredValue(manifest)), options);
            }
            catch (ManifestException e)
            {
                throw new CommandFailedException(e.Message, e);
            }

            try
            {
                KustomizeBaseWriter.Write(kustomizeBase, outputDirectory);
            }
            catch (KubernetesOutputException e)
            {
                throw new UsageException(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CommandFailedException($"cannot write the base to '{outputDirectory}': {e.Message}", e);
            }

            Console.WriteLine($"Wrote {kustomizeBase.Documents.Count} objects and {KustomizeBase.KustomizationFileName} to {outputDirectory}.");
            var secrets = kustomizeBase.Documents.Where(document => document.Kind == "Secret").Select(document => document.Name).ToList();
            if (secrets.Count > 0)
            {
                Console.WriteLine($"The Secrets {string.Join(", ", secrets)} have no values: set them in an overlay before deploying (README, \"Deploy to Kubernetes\").");
            }

            Console.WriteLine($"Render: kubectl kustomize {outputDirectory}    Deploy: kubectl apply -k <overlay or {outputDirectory}>");
            return ExitCodes.Success;
        });
        return command;
    }
}
