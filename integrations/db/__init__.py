"""SQL persistence: async engine, SQLModel tables, repositories, unit of work, migrations."""
