"""Microsoft Graph adapters (msgraph-sdk): directory lookups and, later, collaboration rooms."""
