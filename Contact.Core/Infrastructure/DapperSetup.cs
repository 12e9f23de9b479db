using System.Data;
using System.Reflection;
using Dapper;

namespace Contact.Core.Infrastructure;

/// <summary>Dapper's process-wide settings, set once at start-up.</summary>
public static class DapperSetup
{
    private static int _done;

    /// <summary>snake_case columns to PascalCase members; timestamptz to DateTimeOffset.</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.TypeMapProvider = type => new SnakeCaseRecordMap(type);
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    /// <summary>
    /// Lets positional records take snake_case columns: Dapper's own map matches constructor
    /// parameters only by exact name and exact type, so `category_code text[]` would not fill
    /// <c>string[] CategoryCode</c>. Columns must come in the parameters' order, as with Dapper.
    /// </summary>
    private sealed class SnakeCaseRecordMap(Type type) : SqlMapper.ITypeMap
    {
        private readonly DefaultTypeMap _default = new(type);

        private static bool Same(string parameter, string column) =>
            string.Equals(parameter, column.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

        public ConstructorInfo? FindConstructor(string[] names, Type[] types) =>
            _default.FindConstructor(names, types)
            ?? type.GetConstructors().FirstOrDefault(c =>
            {
                var parameters = c.GetParameters();
                return parameters.Length == names.Length && parameters.Select((p, i) => Same(p.Name!, names[i])).All(x => x);
            });

        public ConstructorInfo? FindExplicitConstructor() => _default.FindExplicitConstructor();

        public SqlMapper.IMemberMap? GetConstructorParameter(ConstructorInfo constructor, string columnName)
        {
            var parameter = constructor.GetParameters().FirstOrDefault(p => Same(p.Name!, columnName));
            return parameter is null ? _default.GetConstructorParameter(constructor, columnName) : new ParameterMap(parameter);
        }

        public SqlMapper.IMemberMap? GetMember(string columnName) => _default.GetMember(columnName);
    }

    private sealed class ParameterMap(ParameterInfo parameter) : SqlMapper.IMemberMap
    {
        public string ColumnName => parameter.Name!;

        public Type MemberType => parameter.ParameterType;

        public PropertyInfo? Property => null;

        public FieldInfo? Field => null;

        public ParameterInfo? Parameter => parameter;
    }

    // Npgsql reads timestamptz as a UTC DateTime; records here hold DateTimeOffset.
    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            DateTimeOffset o => o,
            _ => throw new DataException($"Cannot read {value.GetType()} as a DateTimeOffset"),
        };
    }
}
