import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './workers';

/**
 * The offline explorer: GraphiQL from the npm registry, bundled at build time and served by the subgraph itself
 * (dev only), so it works where Apollo's CDN (which the embedded Sandbox loads from) cannot be reached.
 */

// Same origin as the page: the subgraph serves both, so no CORS and nothing leaves the machine.
const endpoint = new URL('../graphql', window.location.href).toString();

const DEFAULT_QUERY = `# A vehicle by plate. Plates that exist: the emulator's /__emulator/sample.
query Vehicle($kjennemerke: String) {
  vehicle(kjennemerke: $kjennemerke) {
    kjennemerke
    understellsnummer
    technical { make commercialName vehicleClass { value } }
    registration { status { value } }
  }
}
`;

// `?query=...&variables=...` opens a shared operation, as GraphiQL's own examples do.
const params = new URLSearchParams(window.location.search);

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL
      fetcher={createGraphiQLFetcher({ url: endpoint })}
      defaultQuery={DEFAULT_QUERY}
      initialQuery={params.get('query') ?? undefined}
      initialVariables={params.get('variables') ?? undefined}
      // Tokens pasted into the headers editor stay in memory only.
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
