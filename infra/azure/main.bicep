// Innkjøpsboten on Azure: Azure Bot (single tenant, Teams channel) -> Container App running the
// Docker image (infra/Dockerfile) -> PostgreSQL Flexible Server; secrets in Key Vault, read by a
// user-assigned managed identity; logs to Log Analytics, telemetry to Application Insights.
//
// The Entra app registration (single tenant) is NOT created here: create it first (see
// docs/admin-guide.md) and pass its client id, tenant id and client secret.
// Deploy: see infra/azure/README.md.

targetScope = 'resourceGroup'

// ------------------------------------------------------------------------------ parameters

@description('Azure region for everything except the Azure Bot resource (which is global).')
param location string = resourceGroup().location

@description('Short prefix for resource names (lower case letters and digits).')
@minLength(3)
@maxLength(12)
param baseName string = 'innkjop'

@description('Container image to run, e.g. myregistry.azurecr.io/innkjopsboten:0.1.0.')
param image string

@description('Registry server of the image when it is private (e.g. myregistry.azurecr.io); empty for a public image. The managed identity needs AcrPull on it.')
param registryServer string = ''

@description('Application (client) id of the existing single-tenant Entra app registration of the bot.')
param botAppId string

@description('Directory (tenant) id of that app registration.')
param botTenantId string = tenant().tenantId

@description('Client secret of that app registration (stored in Key Vault).')
@secure()
param botAppPassword string

@description('Display name of the bot in Azure and Teams.')
param botDisplayName string = 'Innkjøpsboten'

@description('Azure Bot pricing tier: F0 (free, standard channels such as Teams are free on both) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Administrator login of the PostgreSQL server.')
param postgresAdminLogin string = 'innkjopadmin'

@description('Administrator password of the PostgreSQL server (stored in Key Vault).')
@secure()
@minLength(12)
param postgresAdminPassword string

@description('Name of the application database.')
param postgresDatabaseName string = 'innkjop'

@description('PostgreSQL compute SKU (Burstable B1ms is enough for one municipality).')
param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('PostgreSQL storage in GiB.')
param postgresStorageGb int = 32

@description('How the bot authenticates to Microsoft Graph: with the bot app registration\'s secret (client_secret) or with the managed identity (managed_identity; grant the Graph application permissions to the identity instead).')
@allowed([
  'client_secret'
  'managed_identity'
  'none'
])
param graphAuth string = 'client_secret'

@description('Object id of the Entra group of Innkjøpsseksjonen (GRAPH__PROCUREMENT_GROUP_ID).')
param procurementGroupId string = ''

@description('Catalog id of the Teams app in the org app catalog (GRAPH__TEAMS_APP_ID); fill in after uploading the app package.')
param teamsAppCatalogId string = ''

@description('Where people, managers and guests come from: yaml (org chart file in the image) or graph.')
@allowed([
  'yaml'
  'graph'
])
param directorySource string = 'graph'

@description('Comma-separated tenant ids allowed to talk to the bot; empty = only the bot\'s own tenant.')
param allowedTenants string = ''

@minValue(1)
param minReplicas int = 1

@minValue(1)
param maxReplicas int = 2

@description('Tags put on every resource.')
param tags object = {
  application: 'innkjopsboten'
  owner: 'Innkjøpsseksjonen'
}

// ------------------------------------------------------------------------------ names

var suffix = uniqueString(resourceGroup().id, baseName)
var names = {
  identity: 'id-${baseName}-${suffix}'
  logs: 'log-${baseName}-${suffix}'
  insights: 'appi-${baseName}-${suffix}'
  keyVault: take('kv${baseName}${suffix}', 24)
  postgres: 'psql-${baseName}-${suffix}'
  environment: 'cae-${baseName}-${suffix}'
  app: take('ca-${baseName}-${suffix}', 32)
  bot: 'bot-${baseName}-${suffix}'
}

// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// asyncpg over TLS (Azure requires it); the password is URL-encoded into the URL.
var databaseUrl = 'postgresql+asyncpg://${uriComponent(postgresAdminLogin)}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${postgresDatabaseName}?ssl=require'

// ------------------------------------------------------------------------------ identity

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: tags
}

// ------------------------------------------------------------------------------ monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: names.logs
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// ------------------------------------------------------------------------------ key vault

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: names.keyVault
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-app-password'
  properties: {
    value: botAppPassword
    contentType: 'Client secret of the bot app registration ${botAppId}'
  }
}

resource dbPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'db-password'
  properties: {
    value: postgresAdminPassword
    contentType: 'PostgreSQL administrator password (${postgresAdminLogin})'
  }
}

resource dbUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'db-url'
  properties: {
    value: databaseUrl
    contentType: 'SQLAlchemy URL of the application database (DB__URL)'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ------------------------------------------------------------------------------ postgresql

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: names.postgres
  location: location
  tags: tags
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: {
      storageSizeGB: postgresStorageGb
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: 14
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: postgresDatabaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// 0.0.0.0-0.0.0.0 is Azure's special rule "allow access from Azure services".
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// ------------------------------------------------------------------------------ container app

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: names.environment
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

var secretEnv = [
  {
    name: 'BOT__APP_PASSWORD'
    secretRef: 'bot-app-password'
  }
  {
    name: 'DB__URL'
    secretRef: 'db-url'
  }
]

var graphEnvClientSecret = [
  {
    name: 'GRAPH__CLIENT_ID'
    value: botAppId
  }
  {
    name: 'GRAPH__CLIENT_SECRET'
    secretRef: 'bot-app-password'
  }
]

var graphEnvManagedIdentity = [
  {
    name: 'GRAPH__CLIENT_ID'
    value: identity.properties.clientId
  }
]

var graphEnv = graphAuth == 'client_secret' ? graphEnvClientSecret : graphEnvManagedIdentity

var privateRegistry = [
  {
    server: registryServer
    identity: identity.id
  }
]

var plainEnv = [
  {
    name: 'ENV'
    value: 'prod'
  }
  {
    name: 'LOG_FORMAT'
    value: 'json'
  }
  {
    name: 'BOT__APP_ID'
    value: botAppId
  }
  {
    name: 'BOT__APP_TYPE'
    value: 'SingleTenant'
  }
  {
    name: 'BOT__APP_TENANT_ID'
    value: botTenantId
  }
  {
    name: 'BOT__HOST'
    value: '0.0.0.0'
  }
  {
    name: 'BOT__PORT'
    value: '3978'
  }
  {
    name: 'ALLOWED_TENANTS'
    value: empty(allowedTenants) ? botTenantId : allowedTenants
  }
  {
    name: 'GRAPH__AUTH'
    value: graphAuth
  }
  {
    name: 'GRAPH__TENANT_ID'
    value: botTenantId
  }
  {
    name: 'GRAPH__PROCUREMENT_GROUP_ID'
    value: procurementGroupId
  }
  {
    name: 'GRAPH__TEAMS_APP_ID'
    value: teamsAppCatalogId
  }
  {
    name: 'DIRECTORY__SOURCE'
    value: directorySource
  }
  {
    // azure-identity's ManagedIdentityCredential picks the user-assigned identity by this.
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: insights.properties.ConnectionString
  }
  {
    name: 'MIGRATE_ON_START'
    value: 'true'
  }
]

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: names.app
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 3978
        transport: 'auto'
        allowInsecure: false
      }
      secrets: [
        {
          name: 'bot-app-password'
          keyVaultUrl: botPasswordSecret.properties.secretUri
          identity: identity.id
        }
        {
          name: 'db-url'
          keyVaultUrl: dbUrlSecret.properties.secretUri
          identity: identity.id
        }
      ]
      registries: empty(registryServer) ? [] : privateRegistry
    }
    template: {
      containers: [
        {
          name: 'bot'
          image: image
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          env: concat(plainEnv, secretEnv, graphEnv)
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: 3978
              }
              initialDelaySeconds: 10
              periodSeconds: 30
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: 3978
              }
              initialDelaySeconds: 5
              periodSeconds: 10
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
  dependsOn: [
    // The identity must be able to read the secrets before the first revision starts.
    secretsUser
    database
    allowAzureServices
  ]
}

var appFqdn = app.properties.configuration.ingress.fqdn
var messagingEndpoint = 'https://${appFqdn}/api/messages'

// ------------------------------------------------------------------------------ azure bot

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: names.bot
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: messagingEndpoint
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botTenantId
    developerAppInsightKey: insights.properties.InstrumentationKey
    disableLocalAuth: false
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
    }
  }
}

// ------------------------------------------------------------------------------ outputs

output botEndpoint string = messagingEndpoint
output appUrl string = 'https://${appFqdn}'
output botDomain string = appFqdn
output keyVaultName string = keyVault.name
output managedIdentityClientId string = identity.properties.clientId
output managedIdentityPrincipalId string = identity.properties.principalId
output postgresHost string = postgres.properties.fullyQualifiedDomainName
output botResourceName string = bot.name
output containerAppName string = app.name
