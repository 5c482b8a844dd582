using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper;

/// <summary>
/// One operation of an atomic <see cref="ZooKeeperClient.MultiAsync"/> transaction (create, delete, setData, check),
/// or of a batch of reads sent with <see cref="ZooKeeperClient.MultiReadAsync"/> (getData, getChildren).
/// </summary>
public abstract record Op
{
    private Op(string path) => Path = path;

    /// <summary>The node the operation applies to (relative to the chroot).</summary>
    public string Path { get; }

    internal abstract OpCode OpCode { get; }

    /// <summary>Creates a node; see <see cref="ZooKeeperClient.CreateAsync"/>.</summary>
    public static Op Create(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, TimeSpan? ttl = null) =>
        new CreateOp(path, data, mode, acl ?? ZooKeeper.Acl.OpenUnsafe, ttl);

    /// <summary>Deletes a node if its version matches (-1 matches any).</summary>
    public static Op Delete(string path, int version = -1) => new DeleteOp(path, version);

    /// <summary>Sets a node's data if its version matches (-1 matches any).</summary>
    public static Op SetData(string path, ReadOnlyMemory<byte> data, int version = -1) => new SetDataOp(path, data, version);

    /// <summary>Fails the transaction unless the node's version is <paramref name="version"/>.</summary>
    public static Op Check(string path, int version) => new CheckOp(path, version);

    /// <summary>Reads a node's data and Stat, in a <see cref="ZooKeeperClient.MultiReadAsync"/> batch.</summary>
    public static Op GetData(string path) => new GetDataOp(path);

    /// <summary>Lists a node's children, in a <see cref="ZooKeeperClient.MultiReadAsync"/> batch.</summary>
    public static Op GetChildren(string path) => new GetChildrenOp(path);

    /// <summary>True for the read operations, which only <see cref="ZooKeeperClient.MultiReadAsync"/> takes.</summary>
    internal virtual bool IsRead => false;

    internal abstract void WriteBody(JuteWriter writer, string serverPath);

    /// <summary>Creates a node.</summary>
    public sealed record CreateOp : Op
    {
        internal CreateOp(string path, ReadOnlyMemory<byte> data, CreateMode mode, IReadOnlyList<Acl> acl, TimeSpan? ttl)
            : base(path)
        {
            Data = data;
            Mode = mode;
            Acl = acl;
            Ttl = ttl;
        }

        /// <summary>The node's data.</summary>
        public ReadOnlyMemory<byte> Data { get; }

        /// <summary>The create mode.</summary>
        public CreateMode Mode { get; }

        /// <summary>The node's ACL.</summary>
        public IReadOnlyList<Acl> Acl { get; }

        /// <summary>The TTL of a TTL node.</summary>
        public TimeSpan? Ttl { get; }

        internal override OpCode OpCode => CreateModes.OpCodeFor(Mode);

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            if (OpCode == OpCode.CreateTtl)
            {
                new CreateTtlRequest(serverPath, Data, Acl, (int)Mode, CreateModes.TtlMilliseconds(Mode, Ttl)).Write(writer);
            }
            else
            {
                new CreateRequest(OpCode, serverPath, Data, Acl, (int)Mode).Write(writer);
            }
        }
    }

    /// <summary>Deletes a node.</summary>
    public sealed record DeleteOp : Op
    {
        internal DeleteOp(string path, int version)
            : base(path) => Version = version;

        /// <summary>The expected version, or -1.</summary>
        public int Version { get; }

        internal override OpCode OpCode => OpCode.Delete;

        internal override void WriteBody(JuteWriter writer, string serverPath) => new DeleteRequest(serverPath, Version).Write(writer);
    }

    /// <summary>Sets a node's data.</summary>
    public sealed record SetDataOp : Op
    {
        internal SetDataOp(string path, ReadOnlyMemory<byte> data, int version)
            : base(path)
        {
            Data = data;
            Version = version;
        }

        /// <summary>The new data.</summary>
        public ReadOnlyMemory<byte> Data { get; }

        /// <summary>The expected version, or -1.</summary>
        public int Version { get; }

        internal override OpCode OpCode => OpCode.SetData;

        internal override void WriteBody(JuteWriter writer, string serverPath) => new SetDataRequest(serverPath, Data, Version).Write(writer);
    }

    /// <summary>Checks a node's version.</summary>
    public sealed record CheckOp : Op
    {
        internal CheckOp(string path, int version)
            : base(path) => Version = version;

        /// <summary>The version the node must have.</summary>
        public int Version { get; }

        internal override OpCode OpCode => OpCode.Check;

        internal override void WriteBody(JuteWriter writer, string serverPath) => new CheckVersionRequest(serverPath, Version).Write(writer);
    }

    /// <summary>Reads a node's data.</summary>
    public sealed record GetDataOp : Op
    {
        internal GetDataOp(string path)
            : base(path)
        {
        }

        internal override OpCode OpCode => OpCode.GetData;

        internal override bool IsRead => true;

        internal override void WriteBody(JuteWriter writer, string serverPath) => new PathWatchRequest(OpCode, serverPath, Watch: false).Write(writer);
    }

    /// <summary>Lists a node's children.</summary>
    public sealed record GetChildrenOp : Op
    {
        internal GetChildrenOp(string path)
            : base(path)
        {
        }

        internal override OpCode OpCode => OpCode.GetChildren;

        internal override bool IsRead => true;

        internal override void WriteBody(JuteWriter writer, string serverPath) => new PathWatchRequest(OpCode, serverPath, Watch: false).Write(writer);
    }
}
