"""The graph as a web site: linked-data pages, the ontology, the source text, stored queries
with forms, a SPARQL editor and pictures, for a server and as static files.

    site = Site.from_layout(layout)
    answer = site.get("/resource/Example", accept="text/turtle")   # a Response
    write_site(site, Path("public"))                                 # the static site
"""

from afkg.publish.site.app import Site
from afkg.publish.site.negotiation import Response
from afkg.publish.site.static_site import write_site

__all__ = ["Response", "Site", "write_site"]
