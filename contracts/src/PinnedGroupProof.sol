// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

import {ISemaphore} from "@semaphore-protocol/contracts/interfaces/ISemaphore.sol";
import {ISemaphoreVerifier} from "@semaphore-protocol/contracts/interfaces/ISemaphoreVerifier.sol";
import {MIN_DEPTH, MAX_DEPTH} from "@semaphore-protocol/contracts/base/Constants.sol";

/// @title PinnedGroupProof
/// @notice Checks a Semaphore v4 proof against a group root recorded earlier (when a poll or proposal
/// was created) instead of the group's live roots.
/// @dev Semaphore's own `validateProof` accepts any root younger than `merkleTreeDuration` counted from
/// the root's creation, so in an idle group one member addition expires a long-lived root at once, and
/// roots created after a vote opened are accepted too. Verifying against a pinned root with the
/// `SemaphoreVerifier` directly gives "exactly the members at creation time, for the whole window".
/// Callers keep their own nullifier sets.
library PinnedGroupProof {
    /// @notice The scope a vote's proof must carry, in the scalar field: keccak256 of the ABI-encoded
    /// `(chainId, contract, id)` shifted right by 8 bits. TypeScript: sdk/voting/scope.ts.
    function scope(address target, uint256 id) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, target, id))) >> 8;
    }

    /// @notice Semaphore's hash of a message or scope into a public signal (Semaphore.sol `_hash`).
    function hashToField(uint256 value) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(value))) >> 8;
    }

    /// @notice True when `proof.merkleTreeDepth` is one the verifier has keys for.
    function isSupportedDepth(uint256 depth) internal pure returns (bool) {
        return depth >= MIN_DEPTH && depth <= MAX_DEPTH;
    }

    /// @notice Runs the Groth16 check. The caller has already compared root, scope, message and
    /// nullifier with what it expects and checked the depth with {isSupportedDepth}.
    function verify(ISemaphoreVerifier verifier, ISemaphore.SemaphoreProof calldata proof) internal view returns (bool) {
        return
            verifier.verifyProof(
                [proof.points[0], proof.points[1]],
                [[proof.points[2], proof.points[3]], [proof.points[4], proof.points[5]]],
                [proof.points[6], proof.points[7]],
                [proof.merkleTreeRoot, proof.nullifier, hashToField(proof.message), hashToField(proof.scope)],
                proof.merkleTreeDepth
            );
    }
}
