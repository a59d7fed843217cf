namespace ArdMl.Activations;

/// <summary>Element type of activation shard files (little-endian IEEE 754).</summary>
public enum ActivationShardDataType
{
    /// <summary>32-bit floats (4 bytes per value).</summary>
    Float32,

    /// <summary>16-bit floats (2 bytes per value; half the disk, about 3 significant digits).</summary>
    Float16,
}
