/**
 * FOCUS ServiceCategory for the services ML teams meet most, per provider. Anything not listed is `Other`.
 * Keys: AWS lineItem/ProductCode, Azure MeterCategory (then ServiceFamily), GCP service.description.
 */
type Category =
  | 'AI and Machine Learning' | 'Analytics' | 'Business Applications' | 'Compute' | 'Databases' | 'Developer Tools'
  | 'Identity' | 'Integration' | 'Internet of Things' | 'Management and Governance' | 'Media' | 'Migration' | 'Mobile'
  | 'Networking' | 'Security' | 'Storage' | 'Web' | 'Other';

function invert(groups: Partial<Record<Category, readonly string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [category, names] of Object.entries(groups)) for (const n of names ?? []) out[n] = category;
  return out;
}

export const AWS_SERVICE_CATEGORIES = invert({
  'Compute': ['AmazonEC2', 'AWSLambda', 'AmazonECS', 'AmazonEKS', 'AWSBatch', 'AmazonLightsail', 'AWSOutposts', 'AmazonECR', 'AWSAppRunner', 'AWSElasticBeanstalk'],
  'Storage': ['AmazonS3', 'AmazonEFS', 'AmazonGlacier', 'AmazonFSx', 'AWSBackup', 'AWSStorageGateway', 'AmazonS3GlacierDeepArchive'],
  'Databases': ['AmazonRDS', 'AmazonDynamoDB', 'AmazonElastiCache', 'AmazonDocDB', 'AmazonNeptune', 'AmazonMemoryDB', 'AmazonKeyspaces', 'AmazonTimestream'],
  'AI and Machine Learning': ['AmazonSageMaker', 'AmazonBedrock', 'AmazonRekognition', 'AmazonComprehend', 'AmazonTextract', 'AmazonPolly', 'AmazonTranscribe', 'AmazonTranslate', 'AmazonLex', 'AmazonKendra', 'AmazonPersonalize', 'AmazonForecast', 'AmazonQ'],
  'Analytics': ['AWSGlue', 'AmazonAthena', 'AmazonKinesis', 'AmazonKinesisFirehose', 'AmazonKinesisAnalytics', 'ElasticMapReduce', 'AmazonRedshift', 'AmazonQuickSight', 'AmazonES', 'AmazonOpenSearchService', 'AmazonMSK', 'AWSLakeFormation', 'AWSDataExchange'],
  'Networking': ['AmazonVPC', 'AmazonCloudFront', 'AmazonRoute53', 'AWSDataTransfer', 'AWSELB', 'AWSGlobalAccelerator', 'AWSDirectConnect', 'AmazonApiGateway', 'AWSTransitGateway', 'AWSCloudMap', 'AWSPrivateLink'],
  'Integration': ['AWSQueueService', 'AmazonSNS', 'AmazonStates', 'AmazonMQ', 'AWSEvents', 'AmazonEventBridge', 'AmazonAppFlow', 'AmazonSES'],
  'Management and Governance': ['AmazonCloudWatch', 'AWSCloudTrail', 'AWSConfig', 'AWSSystemsManager', 'AWSCostExplorer', 'AWSCloudFormation', 'AWSServiceCatalog', 'AWSOrganizations', 'AWSSupportBusiness', 'AWSSupportEnterprise', 'AWSDeveloperSupport', 'AWSTrustedAdvisor'],
  'Security': ['awskms', 'AWSSecretsManager', 'awswaf', 'AWSWAF', 'AmazonGuardDuty', 'AWSSecurityHub', 'AmazonInspector', 'AmazonInspectorV2', 'AWSShield', 'AWSCertificateManager', 'AmazonMacie', 'AmazonDetective'],
  'Identity': ['AmazonCognito', 'AWSDirectoryService', 'AWSIAMIdentityCenter'],
  'Developer Tools': ['AWSCodeBuild', 'AWSCodePipeline', 'AWSCodeCommit', 'AWSCodeArtifact', 'AWSCloudShell', 'AWSXRay', 'AWSCodeDeploy', 'AWSAmplify'],
  'Migration': ['AWSMigrationHubRefactorSpaces', 'AWSDatabaseMigrationSvc', 'AWSTransfer', 'AWSApplicationMigrationSvc', 'AWSDataSync', 'AWSSnowball'],
  'Internet of Things': ['AWSIoT', 'AWSIoTAnalytics', 'AWSIoTEvents', 'AWSGreengrass', 'AWSIoTSiteWise'],
  'Media': ['AmazonKinesisVideo', 'AWSElementalMediaConvert', 'AmazonIVS'],
});

export const AZURE_METER_CATEGORIES = invert({
  'Compute': ['Virtual Machines', 'Virtual Machines Licenses', 'Container Instances', 'Functions', 'Cloud Services', 'Batch', 'Azure Kubernetes Service', 'Container Registry', 'Azure Container Apps', 'Azure VMware Solution', 'Virtual Machine Scale Sets'],
  'Storage': ['Storage', 'Backup', 'Azure NetApp Files', 'Azure Data Lake Storage', 'StorSimple'],
  'Databases': ['SQL Database', 'Azure Cosmos DB', 'Azure Database for MySQL', 'Azure Database for PostgreSQL', 'Azure Database for MariaDB', 'Redis Cache', 'Azure Cache for Redis', 'SQL Managed Instance', 'Azure SQL Database'],
  'AI and Machine Learning': ['Azure Machine Learning', 'Machine Learning Studio', 'Cognitive Services', 'Azure OpenAI', 'Azure AI Services', 'Azure Cognitive Search', 'Azure AI Search', 'Azure Bot Service'],
  'Analytics': ['Azure Databricks', 'Azure Synapse Analytics', 'HDInsight', 'Azure Data Factory v2', 'Azure Data Factory', 'Azure Data Explorer', 'Event Hubs', 'Stream Analytics', 'Power BI Embedded', 'Microsoft Fabric'],
  'Networking': ['Virtual Network', 'Bandwidth', 'Load Balancer', 'VPN Gateway', 'Azure DNS', 'Content Delivery Network', 'Application Gateway', 'Network Watcher', 'Azure Front Door Service', 'ExpressRoute', 'Azure Bastion', 'Traffic Manager', 'NAT Gateway', 'Virtual WAN', 'IP Addresses', 'Azure Private Link'],
  'Management and Governance': ['Log Analytics', 'Azure Monitor', 'Insight and Analytics', 'Automation', 'Azure Site Recovery', 'Azure Arc', 'Azure Policy', 'Application Insights'],
  'Security': ['Key Vault', 'Microsoft Defender for Cloud', 'Advanced Threat Protection', 'Sentinel', 'Azure Firewall', 'Azure DDOS Protection', 'Security Center', 'Microsoft Sentinel'],
  'Integration': ['Service Bus', 'Logic Apps', 'API Management', 'Event Grid', 'Notification Hubs'],
  'Identity': ['Azure Active Directory', 'Azure Active Directory B2C', 'Microsoft Entra ID', 'Microsoft Entra Domain Services'],
  'Web': ['Azure App Service', 'Static Web Apps', 'SignalR', 'Azure Web PubSub'],
  'Developer Tools': ['Azure DevOps', 'Visual Studio Subscription', 'Azure Load Testing', 'Azure Deployment Environments'],
  'Internet of Things': ['IoT Hub', 'IoT Central', 'Azure Digital Twins', 'Time Series Insights'],
  'Media': ['Media Services', 'Azure Communication Services'],
  'Migration': ['Azure Migrate', 'Azure Database Migration Service'],
});

/** Azure ServiceFamily values, for meters the table above does not name. */
export const AZURE_SERVICE_FAMILIES = invert({
  'Compute': ['Compute', 'Containers'],
  'Storage': ['Storage'],
  'Networking': ['Networking'],
  'Databases': ['Databases'],
  'AI and Machine Learning': ['AI + Machine Learning'],
  'Analytics': ['Analytics'],
  'Security': ['Security'],
  'Management and Governance': ['Management and Governance'],
  'Integration': ['Integration'],
  'Internet of Things': ['Internet of Things'],
  'Web': ['Web'],
  'Developer Tools': ['Developer Tools'],
  'Identity': ['Identity'],
  'Migration': ['Migration'],
  'Media': ['Media'],
});

export const GCP_SERVICE_CATEGORIES = invert({
  'Compute': ['Compute Engine', 'Kubernetes Engine', 'Cloud Run', 'Cloud Functions', 'Batch', 'Google Cloud VMware Engine', 'Bare Metal Solution'],
  'Storage': ['Cloud Storage', 'Filestore', 'Backup and DR Service', 'Persistent Disk'],
  'Databases': ['Cloud SQL', 'Cloud Spanner', 'Cloud Bigtable', 'Cloud Firestore', 'Firestore', 'Cloud Memorystore for Redis', 'Memorystore for Redis', 'AlloyDB for PostgreSQL', 'Cloud Datastore'],
  'AI and Machine Learning': ['Vertex AI', 'Cloud AI Platform', 'AI Platform', 'Cloud TPU', 'Gemini API', 'Cloud Vision API', 'Cloud Natural Language API', 'Cloud Speech API', 'Speech-to-Text', 'Cloud Translation', 'Cloud Text-to-Speech API', 'Document AI', 'Dialogflow', 'Generative Language API'],
  'Analytics': ['BigQuery', 'BigQuery Storage API', 'BigQuery Reservation API', 'BigQuery BI Engine', 'Cloud Dataflow', 'Dataflow', 'Cloud Dataproc', 'Dataproc', 'Looker', 'Cloud Composer', 'Data Catalog', 'Dataplex', 'Cloud Data Fusion'],
  'Networking': ['Networking', 'Cloud CDN', 'Cloud DNS', 'Cloud Load Balancing', 'Network Intelligence Center', 'Cloud NAT', 'Cloud VPN', 'Cloud Interconnect', 'Network Service Tiers'],
  'Integration': ['Cloud Pub/Sub', 'Pub/Sub', 'Cloud Tasks', 'Cloud Scheduler', 'Workflows', 'Eventarc', 'Apigee', 'API Gateway', 'Application Integration'],
  'Management and Governance': ['Cloud Logging', 'Cloud Monitoring', 'Stackdriver Logging', 'Stackdriver Monitoring', 'Cloud Trace', 'Stackdriver Trace', 'Cloud Asset Inventory', 'Cloud Deployment Manager', 'Support'],
  'Security': ['Security Command Center', 'Secret Manager', 'Cloud Key Management Service (KMS)', 'Cloud Armor', 'Certificate Manager', 'Cloud IDS', 'reCAPTCHA Enterprise', 'Sensitive Data Protection'],
  'Identity': ['Identity Platform', 'Cloud Identity', 'Identity and Access Management'],
  'Developer Tools': ['Cloud Build', 'Artifact Registry', 'Container Registry', 'Container Registry Vulnerability Scanning', 'Cloud Source Repositories', 'Cloud Deploy', 'Cloud Workstations'],
  'Web': ['App Engine', 'Firebase Hosting'],
  'Internet of Things': ['Cloud IoT Core'],
  'Media': ['Transcoder API', 'Live Stream API'],
  'Migration': ['Database Migration Service', 'Storage Transfer Service', 'BigQuery Data Transfer Service'],
});
